"""The contract index table."""

import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from contracts.models import Contract, ContractStatus

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _nulls_last(queryset, field: str, descending: bool):
    """Contracts without the date or value sort last both ways, on PostgreSQL and SQLite alike."""
    column = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return queryset.order_by(column, "reference")  # Indexed: contracts migration 0002.


class ContractTable(tables.Table):
    reference = tables.Column(linkify=True, attrs={"td": {"class": "text-nowrap fw-semibold"}})
    title = tables.Column()
    category = tables.Column(order_by=("category__code",), verbose_name="Category")
    vendors = tables.Column(empty_values=(), orderable=False, verbose_name="Vendors")
    manager = tables.Column(empty_values=(), orderable=False, verbose_name="Contract manager")
    status = tables.Column(empty_values=())
    start_date = tables.DateColumn(format="j M Y", verbose_name="Starts", visible=False)
    end_date = tables.DateColumn(
        format="j M Y", verbose_name="Ends", attrs={"td": {"class": "text-nowrap"}}
    )
    awarded_value = tables.Column(
        verbose_name="Value", attrs={"td": {"class": "text-end text-nowrap"}}
    )

    class Meta:
        model = Contract
        fields = (
            "reference",
            "title",
            "category",
            "vendors",
            "manager",
            "status",
            "end_date",
            "awarded_value",
        )
        order_by = ("end_date", "reference")
        attrs = {"class": "table table-sm table-hover align-middle contract-table"}
        row_attrs = {
            "class": lambda record: "table-secondary" if record.has_ended() else "",
            "data-ref": lambda record: record.reference,
        }
        empty_text = "No contracts match these filters."

    def order_end_date(self, queryset, is_descending):
        return _nulls_last(queryset, "end_date", is_descending), True

    def order_awarded_value(self, queryset, is_descending):
        return _nulls_last(queryset, "awarded_value", is_descending), True

    def order_start_date(self, queryset, is_descending):
        return _nulls_last(queryset, "start_date", is_descending), True

    def render_category(self, record):
        return format_html('<span title="{}">{}</span>', record.category.name, record.category.code)

    def render_vendors(self, record):
        awards = list(record.awards.all())
        names = sorted({award.vendor.legal_name for award in awards})
        shown = format_html_join(", ", "{}", ((name,) for name in names[:3]))
        if len(names) > 3:
            return format_html("{} <span class='text-muted'>+{} more</span>", shown, len(names) - 3)
        return shown

    def render_manager(self, record):
        return person_name(record.contract_manager or record.category.primary_contract_manager)

    def render_status(self, record):
        # As contracts/_status_badge.html, without a template render per row.
        if record.has_ended():
            extra = (
                ""
                if record.status in (ContractStatus.EXPIRED, ContractStatus.ACTIVE)
                else f" · {record.get_status_display()}"
            )
            return format_html(
                '<span class="badge text-bg-dark" title="This contract has ended">Expired{}</span>',
                extra,
            )
        if record.is_expiring_soon():
            days = record.days_to_end()
            return format_html(
                '<span class="badge text-bg-warning" title="Ends within {} days">'
                "{} · ends in {} d</span>",
                days,
                record.get_status_display(),
                days,
            )
        if record.status == ContractStatus.ACTIVE:
            return mark_safe('<span class="badge text-bg-success">Active</span>')
        return format_html(
            '<span class="badge text-bg-secondary">{}</span>', record.get_status_display()
        )

    def render_awarded_value(self, value, record):
        symbol = CURRENCY_SYMBOLS.get(record.currency)
        if symbol:
            return f"{symbol}{value:,.0f}"
        return format_html("{} {}", record.currency, f"{value:,.0f}")
