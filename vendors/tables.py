import django_tables2 as tables
from django.utils.html import format_html

from vendors.models import Vendor
from vendors.selectors import aliases_shown_to


class VendorTable(tables.Table):
    legal_name = tables.Column(linkify=True, verbose_name="Vendor")
    aliases = tables.Column(empty_values=(), orderable=False, verbose_name="Also known as")
    flags = tables.Column(empty_values=(), orderable=False)
    contract_count = tables.Column(verbose_name="Contracts", attrs={"td": {"class": "text-end"}})

    class Meta:
        model = Vendor
        fields = ("legal_name", "aliases", "vendor_code", "flags", "status", "contract_count")
        order_by = ("legal_name",)
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = "No vendors match."

    def render_aliases(self, record):
        user = getattr(getattr(self, "request", None), "user", None)
        return ", ".join(alias.name for alias in aliases_shown_to(user, record.aliases.all()))

    def render_flags(self, record):
        flags = [label for label, on in (("SME", record.is_sme), ("VCSE", record.is_vcse)) if on]
        return format_html("{}", " ".join(flags)) if flags else ""
