"""The drill-down table of payments."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from spend.models import Transaction
from spend.values import ASSUMED_DATE, format_pounds


def money(value) -> str:
    """£1,234.56, and −£1,234.56 for a credit or refund."""
    return format_pounds(value, 2)


class TransactionTable(tables.Table):
    payment_date = tables.DateColumn(format="d/m/Y", verbose_name="Paid")
    authority = tables.Column(accessor="authority__code", verbose_name="Authority", orderable=False)
    payee = tables.Column(accessor="payee__name", verbose_name="Supplier", orderable=False)
    vendor = tables.Column(verbose_name="Vendor", orderable=False, linkify=True)
    reference = tables.Column(linkify=True)
    category = tables.Column(accessor="category__code", verbose_name="Category", orderable=False)
    contract = tables.Column(empty_values=(), verbose_name="Contract", orderable=False)
    amount = tables.Column(attrs={"td": {"class": "text-end text-nowrap"}})

    class Meta:
        model = Transaction
        fields = ("payment_date", "authority", "payee", "vendor", "reference", "category",
                  "contract", "amount")  # fmt: skip
        order_by = ("-payment_date",)
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = "No payments match these filters."

    def render_payment_date(self, value, record):
        if not record.date_assumed:
            return f"{value:%d/%m/%Y}"
        return format_html(
            '{} <span class="badge text-bg-light border" title="{}">assumed</span>',
            f"{value:%d/%m/%Y}", ASSUMED_DATE,
        )  # fmt: skip

    def render_amount(self, value):
        return money(value)

    def render_contract(self, record):
        if record.contract_id is None:
            return mark_safe('<span class="badge text-bg-warning">Off contract</span>')
        extra = ""
        if record.contract_candidates > 1:
            extra = format_html(
                ' <span class="badge text-bg-info" title="Chosen by the rule among {} contracts">'
                "1 of {}</span>",
                record.contract_candidates,
                record.contract_candidates,
            )
        return format_html(
            '<a href="{}">{}</a>{}',
            record.contract.get_absolute_url(),
            record.contract.reference,
            extra,
        )
