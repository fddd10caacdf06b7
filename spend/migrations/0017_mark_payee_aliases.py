"""Aliases that payee confirmations added before vendors.VendorAlias.from_payee existed: mark
them, so that the public vendor pages leave them out as they do the new ones."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def mark(apps, schema_editor):
    VendorAlias = apps.get_model("vendors", "VendorAlias")
    Payee = apps.get_model("spend", "Payee")
    confirmed = Payee.objects.filter(
        vendor_id=OuterRef("vendor_id"), name=OuterRef("name"), match_method="confirmed"
    )
    VendorAlias.objects.filter(from_payee=False).filter(Exists(confirmed)).update(from_payee=True)


class Migration(migrations.Migration):
    dependencies = [
        ("spend", "0016_payee_set_aside"),
        ("vendors", "0003_alias_from_payee"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
