"""Search names (and the search text of the vendors' contracts) without the aliases learnt from
spend payees, which the public index must not match on (vendors.services keeps them out now)."""

from django.db import migrations

from procurement_hub.text import fold


def forwards(apps, schema_editor):
    Vendor = apps.get_model("vendors", "Vendor")
    Contract = apps.get_model("contracts", "Contract")
    vendors = Vendor.objects.filter(aliases__from_payee=True).distinct()
    contract_ids = set()
    for vendor in vendors.prefetch_related("aliases", "awards"):
        aliases = [a.name for a in vendor.aliases.all() if not a.from_payee]
        vendor.search_names = fold(" | ".join([vendor.legal_name, *aliases]))
        vendor.save(update_fields=["search_names"])
        contract_ids.update(award.contract_id for award in vendor.awards.all())
    contracts = Contract.objects.filter(pk__in=contract_ids).select_related("category")
    for contract in contracts.prefetch_related("awards__vendor"):
        names = [a.vendor.search_names or fold(a.vendor.legal_name) for a in contract.awards.all()]
        category = f"{contract.category.code} {contract.category.name}"
        parts = [contract.reference, contract.title, category, *names, contract.description]
        contract.search_text = fold(" | ".join(parts))  # As contracts.services does.
        contract.save(update_fields=["search_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("vendors", "0003_alias_from_payee"),
        ("contracts", "0004_index_page_ids_by_sort_key"),
        ("spend", "0017_mark_payee_aliases"),  # Marks the older payee aliases first.
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
