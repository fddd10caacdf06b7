"""The contract index table."""

import django_tables2 as tables
from django.db.models import F
from django.db.models.functions import Upper
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_tables2.data import TableQuerysetData

from categories.templatetags.people import person as person_name
from contracts.models import Contract, ContractStatus
from procurement_hub.formatting import day, whole_money


def _nulls_last(queryset, field: str, descending: bool):
    """Contracts without the date or value sort last both ways, on PostgreSQL and SQLite alike."""
    column = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return queryset.order_by(column, "reference")  # Indexed: contracts migration 0002.


class PageByIds(TableQuerysetData):
    """A page of contracts in two steps: first the page's ids, in the table's order, by a narrow
    query that PostgreSQL can answer from an index (a filtered page sorts ids and sort keys, not
    whole rows with their joins); then those contracts with everything a row shows."""

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return super().__getitem__(key)
        ids = list(self.data.values_list("pk", flat=True)[key])
        rows = {row.pk: row for row in self.data.order_by().filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]


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

    def __init__(self, *args, narrowed: bool = False, **kwargs):
        self.narrowed = narrowed
        super().__init__(*args, **kwargs)

    def _filter_first(self, name: str) -> bool:
        """Sort by an expression no index matches, so PostgreSQL filters first and sorts the
        rows left, when the filters keep a small share of contracts and `name` leads the sort.
        Without it the planner walks the sort column's index, assuming matches are spread
        evenly; they are not (references begin with the category code, high values cluster in
        older contracts): a pillar's six-month window sorted by reference read 66,000 rows to
        find 25 (bench/RESULTS.md)."""
        return self.narrowed and bool(self.order_by) and self.order_by[0].bare == name

    def order_reference(self, queryset, is_descending):
        if not self._filter_first("reference"):
            return queryset, False  # django-tables2 sorts by the column (or the primary sort's).
        key = Upper("reference")
        return queryset.order_by(key.desc() if is_descending else key.asc(), "reference"), True

    def order_end_date(self, queryset, is_descending):
        return _nulls_last(queryset, "end_date", is_descending), True

    def order_awarded_value(self, queryset, is_descending):
        if not self._filter_first("awarded_value"):
            return _nulls_last(queryset, "awarded_value", is_descending), True
        key = F("awarded_value") + 0
        key = key.desc(nulls_last=True) if is_descending else key.asc(nulls_last=True)
        return queryset.order_by(key, "reference"), True

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
        if record.status == ContractStatus.ACTIVE and record.starts_later():
            return format_html(
                '<span class="badge text-bg-info" title="Signed; it runs from its start date">'
                "Active · starts {}</span>",
                day(record.start_date),
            )
        if record.status == ContractStatus.ACTIVE:
            return mark_safe('<span class="badge text-bg-success">Active</span>')
        return format_html(
            '<span class="badge text-bg-secondary">{}</span>', record.get_status_display()
        )

    def render_awarded_value(self, value, record):
        return whole_money(value, record.currency)
