"""Reads of the spend app. Analysis reads only the summary tables; drill-down reads
transactions with indexed filters, one page at a time."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    DecimalField,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce

from contracts.models import Contract
from spend import periods
from spend.forms import SpendFilters
from spend.models import (
    ContractSpend,
    ExpenseCode,
    MatchMethod,
    Payee,
    PillarSupplier,
    SkipKind,
    SpendCube,
    SpendSummary,
    SupplierSpend,
    Transaction,
)
from vendors.models import Vendor

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))
TOP_SUPPLIERS = 20
PAGE_SIZE = 25  # Rows per page of the analysis lists.
MAX_CHART_MONTHS = 600  # Trend charts fill empty months over spans up to 50 years.


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _filtered(rows: QuerySet, filters: SpendFilters) -> QuerySet:
    if filters.authority:
        rows = rows.filter(authority=filters.authority)
    if filters.pillar:
        rows = rows.filter(pillar=filters.pillar)
    if filters.category:
        rows = rows.filter(category=filters.category)
    return rows


def cube_rows(filters: SpendFilters) -> QuerySet:
    """SpendCube rows (no payee) in the filters: every breakdown but the supplier ones. Dates
    filter by whole months (the summaries' grain)."""
    rows = SpendCube.objects.all()
    if filters.date_from:
        rows = rows.filter(month__gte=_month(filters.date_from))
    if filters.date_to:
        rows = rows.filter(month__lte=_month(filters.date_to))
    return _filtered(rows, filters)


def supplier_rows(filters: SpendFilters) -> QuerySet:
    """Payee-level summary rows in the filters, for the supplier breakdowns. Dates filter by
    whole months, read as the fewest months, quarters and years that cover them."""
    first = filters.date_from and _month(filters.date_from)
    last = filters.date_to and _month(filters.date_to)
    where = periods.condition(periods.covering(first, last))
    rows = SupplierSpend.objects.filter(where) if where else SupplierSpend.objects.none()
    return _filtered(rows, filters)


def _totals():
    # SUM … FILTER (WHERE on_contract) on PostgreSQL, a CASE on SQLite: over a pillar's 196,330
    # summary rows for 25 months, the filter took 150 ms where the CASE took 194.
    on = Sum("total", filter=Q(on_contract=True))
    return {"spend": Coalesce(Sum("total"), ZERO), "on_contract_spend": Coalesce(on, ZERO),
            "payments": Coalesce(Sum("tx_count"), 0)}  # fmt: skip


def _with_share(rows):
    for row in rows:
        spend = row["spend"] or Decimal(0)
        row["share"] = round(100 * row["on_contract_spend"] / spend, 1) if spend else None
    return rows


def spend_by_pillar(filters: SpendFilters) -> list[dict]:
    rows = (
        cube_rows(filters)
        .values("pillar_id", "pillar__name")
        .annotate(**_totals())
        .order_by("-spend")
    )
    return _with_share(list(rows))


def spend_by_category(filters: SpendFilters) -> list[dict]:
    rows = (
        cube_rows(filters)
        .values("category_id", "category__code", "category__name", "pillar__name")
        .annotate(**_totals())
        .order_by("-spend")
    )
    return _with_share(list(rows))


def spend_by_authority(filters: SpendFilters) -> list[dict]:
    rows = (
        cube_rows(filters)
        .values("authority_id", "authority__name")
        .annotate(**_totals())
        .order_by("-spend")
    )
    return _with_share(list(rows))


def spend_by_month(filters: SpendFilters) -> list[dict]:
    rows = cube_rows(filters).values("month").annotate(**_totals()).order_by("month")
    return _with_share(list(rows))


def spend_by_supplier(filters: SpendFilters, *, limit: int | None = TOP_SUPPLIERS) -> list[dict]:
    rows = (
        supplier_rows(filters)
        .values("payee_id", "payee__name", "vendor_id", "vendor__legal_name")
        .annotate(**_totals())
        .order_by("-spend", "payee_id")
    )
    return _with_share(list(rows[:limit] if limit else rows))


def overview(filters: SpendFilters, *, suppliers: int) -> dict:
    totals = cube_rows(filters).aggregate(**_totals())
    spend = totals["spend"]
    totals["share"] = round(100 * totals["on_contract_spend"] / spend, 1) if spend else None
    totals["suppliers"] = suppliers
    return totals


def _all_time(filters: SpendFilters) -> bool:
    """No date, pillar or category filter: the payees' all-time totals answer directly."""
    return not (filters.date_from or filters.date_to or filters.pillar or filters.category)


def _payees(filters: SpendFilters) -> QuerySet:
    payees = Payee.objects.filter(transaction_count__gt=0)
    if filters.authority:
        payees = payees.filter(authority=filters.authority)
    return payees


def _payee_rows(filters: SpendFilters) -> QuerySet:
    return _payees(filters).values(
        "vendor_id", "vendor__legal_name", "on_contract_spend",
        payee_id=F("pk"), payee__name=F("name"), authority__name=F("authority__name"),
        spend=F("total_spend"), payments=F("transaction_count"),
    )  # fmt: skip


def _pillar_all_time(filters: SpendFilters) -> bool:
    """A pillar, perhaps an authority, and nothing else: PillarSupplier answers directly."""
    return bool(filters.pillar) and not (filters.date_from or filters.date_to or filters.category)


def _pillar_suppliers(filters: SpendFilters) -> QuerySet:
    rows = PillarSupplier.objects.filter(pillar=filters.pillar, tx_count__gt=0)
    if filters.authority:
        rows = rows.filter(authority=filters.authority)
    return rows


def _pillar_supplier_rows(filters: SpendFilters) -> QuerySet:
    return _pillar_suppliers(filters).values(
        "payee_id", "vendor_id", "vendor__legal_name", payee__name=F("payee__name"),
        spend=F("total"), on_contract_spend=F("on_contract_total"), payments=F("tx_count"),
    )  # fmt: skip


def top_suppliers(filters: SpendFilters, *, limit: int = TOP_SUPPLIERS) -> tuple[list, int]:
    """The top suppliers and how many suppliers were paid, in one pass over the summary (or,
    with no date/pillar/category filter, from the payees' all-time totals, by index; with only
    a pillar, from the pillar's all-time supplier totals, by index)."""
    # Counted without the joins that name the rows: a pillar's count took 84 ms with them.
    if _all_time(filters):
        payees = _payee_rows(filters)
        rows = list(payees.order_by("-total_spend", "pk")[:limit])
        return _with_share(rows), _payees(filters).count()
    if _pillar_all_time(filters):
        suppliers = _pillar_supplier_rows(filters)
        rows = list(suppliers.order_by("-total", "payee_id")[:limit])
        return _with_share(rows), _pillar_suppliers(filters).count()
    # Ranked by ids alone, then named: grouping by the names as well joined every summary row
    # to its payee and vendor first, and took twice as long.
    rows = list(
        supplier_rows(filters)
        .values("payee_id", "vendor_id")
        .annotate(**_totals(), suppliers=Window(Count("*")))
        .order_by("-spend", "payee_id")[:limit]
    )
    count = rows[0]["suppliers"] if rows else 0
    return _with_share(_named(rows)), count


def _named(rows: list[dict]) -> list[dict]:
    """Add payee, authority and vendor names to ranked rows (two queries, none for no rows)."""
    if not rows:
        return rows
    payees = {
        pk: (name, authority)
        for pk, name, authority in Payee.objects.filter(
            pk__in={r["payee_id"] for r in rows}
        ).values_list("pk", "name", "authority__name")
    }
    vendor_ids = {r["vendor_id"] for r in rows if r["vendor_id"]}
    vendors = (
        dict(Vendor.objects.filter(pk__in=vendor_ids).values_list("pk", "legal_name"))
        if vendor_ids
        else {}
    )
    for row in rows:
        row["payee__name"], row["authority__name"] = payees.get(row["payee_id"], ("", ""))
        row["vendor__legal_name"] = vendors.get(row["vendor_id"])
    return rows


class RankedRows:
    """Supplier rows ranked by an aggregate over the summary, read a page at a time. The first
    page's query also counts the ranked rows (a window over the groups), so that the paginator's
    count and page one cost one aggregate, not two; each slice names only its own rows."""

    NAMING_BATCH = 500  # Ids per naming query (SQLite's parameter limit).

    def __init__(self, rows: QuerySet, *, per_page: int = PAGE_SIZE):
        self._rows = rows
        self._per_page = per_page
        self._first: list[dict] | None = None
        self._count: int | None = None

    def _first_page(self) -> list[dict]:
        if self._first is None:
            counted = list(self._rows.annotate(ranked=Window(Count("*")))[: self._per_page])
            self._count = counted[0]["ranked"] if counted else 0
            self._first = counted
        return self._first

    def count(self) -> int:
        self._first_page()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[dict]:
        if not key.start and key.stop is not None and key.stop <= self._per_page:
            return _named(self._first_page()[: key.stop])
        return _named(list(self._rows[key]))

    def __iter__(self):
        rows = list(self._rows)
        for start in range(0, len(rows), self.NAMING_BATCH):
            yield from _named(rows[start : start + self.NAMING_BATCH])


def concentration(top: list[dict], total: Decimal) -> dict:
    """Share of spend with the top 5 and top 10 suppliers (from the top-suppliers list)."""

    def share(n):
        return round(100 * sum(r["spend"] for r in top[:n]) / total, 1) if total else None

    return {"top5": share(5), "top10": share(10)}


def _with_empty_months(rows: list[dict], **zeros) -> list[dict]:
    """Rows by month, ascending, with a row of `zeros` for every month between the first and the
    last that had none, so a trend chart's axis runs month by month (Jan, Feb, Apr read as three
    months in a row). Filled in Python: the queries stay as they were. A span beyond
    MAX_CHART_MONTHS (a mistyped year) is left as it is."""
    if not rows:
        return rows
    first, last = rows[0]["month"], rows[-1]["month"]
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    if span == len(rows) or span > MAX_CHART_MONTHS:
        return rows
    by_month = {row["month"]: row for row in rows}
    filled = []
    for n in range(span):
        year, month = divmod(first.month - 1 + n, 12)
        day = datetime.date(first.year + year, month + 1, 1)
        filled.append(by_month.get(day) or {"month": day, **zeros})
    return filled


def month_chart(by_month: list[dict]) -> dict:
    """The monthly trend as the chart's series (labels, spend, on-contract spend), months without
    spend at zero."""
    rows = _with_empty_months(by_month, spend=Decimal(0), on_contract_spend=Decimal(0))
    return {
        "months": [r["month"].strftime("%b %Y") for r in rows],
        "spend": [float(r["spend"]) for r in rows],
        "on_contract": [float(r["on_contract_spend"]) for r in rows],
    }


def dashboard(filters: SpendFilters) -> dict:
    top, suppliers = top_suppliers(filters)
    totals = overview(filters, suppliers=suppliers)
    by_month = spend_by_month(filters)
    return {
        "totals": totals,
        "by_pillar": spend_by_pillar(filters),
        "by_category": spend_by_category(filters),
        "by_authority": spend_by_authority(filters),
        "by_month": by_month,
        "chart": month_chart(by_month),
        "top_suppliers": top,
        "concentration": concentration(top, totals["spend"]),
    }


def off_contract_suppliers(filters: SpendFilters, *, threshold: Decimal | None = None):
    """Payees paid at least the threshold in the period with none of it on a contract: the
    list that drives new sourcing work."""
    threshold = settings.SPEND_OFF_CONTRACT_THRESHOLD if threshold is None else threshold
    if _all_time(filters):
        return (
            _payee_rows(filters)
            .filter(on_contract_spend=0, total_spend__gte=threshold)
            .order_by("-total_spend", "pk")
        )
    # Grouped by ids alone (a payee belongs to one authority); names come with each page.
    return RankedRows(
        supplier_rows(filters)
        .values("payee_id", "vendor_id")
        .annotate(**_totals())
        .filter(on_contract_spend=0, spend__gte=threshold)
        .order_by("-spend", "payee_id")
    )


def contract_burn(filters: SpendFilters, *, warn_percent: int | None = None) -> list[dict]:
    """Contracts whose spend reached the warning share of their value (awarded, else estimated),
    most used first."""
    warn = settings.SPEND_BURN_WARN_PERCENT if warn_percent is None else warn_percent
    spend = ContractSpend.objects.all()
    contracts = Contract.objects.all()
    if filters.authority:
        spend = spend.filter(authority=filters.authority)
    if filters.date_from:
        spend = spend.filter(month__gte=_month(filters.date_from))
    if filters.date_to:
        spend = spend.filter(month__lte=_month(filters.date_to))
    if filters.pillar:
        contracts = contracts.filter(category__pillar=filters.pillar)
    if filters.category:
        contracts = contracts.filter(category=filters.category)
    totals = dict(
        spend.filter(contract__in=contracts)
        .values("contract_id")
        .annotate(s=Sum("total"))
        .values_list("contract_id", "s")
    )
    rows = []
    for contract in contracts.filter(pk__in=list(totals)).select_related("category"):
        value = contract.awarded_value or contract.estimated_value
        if not value:
            continue
        percent = round(100 * totals[contract.pk] / value, 1)
        if percent >= warn:
            rows.append({"contract": contract, "spend": totals[contract.pk], "value": value,
                         "percent": percent, "used_up": percent >= 100})  # fmt: skip
    rows.sort(key=lambda r: (-r["percent"], r["contract"].reference))
    return rows


def contract_spend(contract: Contract) -> dict | None:
    """Spend to date against value, month by month (one query), for the contract page."""
    months = list(
        ContractSpend.objects.filter(contract=contract)
        .values("month")
        .annotate(spend=Sum("total"))
        .order_by("month")
    )
    if not months:
        return None
    months = _with_empty_months(months, spend=Decimal(0))  # The line stays flat through them.
    running = Decimal(0)
    for row in months:
        running += row["spend"]
        row["cumulative"] = running
    value = contract.awarded_value or contract.estimated_value
    percent = round(100 * running / value, 1) if value else None
    return {
        "months": months,
        "total": running,
        "value": value,
        "percent": percent,
        "warn": percent is not None and percent >= settings.SPEND_BURN_WARN_PERCENT,
        "used_up": percent is not None and percent >= 100,
        "chart": {
            "labels": [r["month"].strftime("%b %Y") for r in months],
            "cumulative": [float(r["cumulative"]) for r in months],
            "value": float(value) if value else None,
        },
    }


def vendor_spend(vendor) -> dict | None:
    """Spend with a vendor over time and by authority (two queries on the summary)."""
    rows = SpendSummary.objects.filter(vendor=vendor)
    by_month = list(rows.values("month").annotate(spend=Sum("total")).order_by("month"))
    if not by_month:
        return None
    by_authority = list(
        rows.values("authority__name").annotate(spend=Sum("total")).order_by("-spend")
    )
    chart_months = _with_empty_months(by_month, spend=Decimal(0))
    return {
        "by_month": by_month,
        "by_authority": by_authority,
        "total": sum(r["spend"] for r in by_month),
        "chart": {
            "labels": [r["month"].strftime("%b %Y") for r in chart_months],
            "spend": [float(r["spend"]) for r in chart_months],
        },
    }


# Drill-down ---------------------------------------------------------------------------------


def transactions(filters: SpendFilters, extra: dict) -> QuerySet:
    """Transactions in the filters (exact dates here), plus the drill-down keys in `extra`:
    payee, vendor, contract, month, on_contract ("yes"/"no")."""
    rows = Transaction.objects.select_related(
        "authority", "payee", "vendor", "category", "contract"
    )
    if filters.authority:
        rows = rows.filter(authority=filters.authority)
    if filters.date_from:
        rows = rows.filter(payment_date__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(payment_date__lte=filters.date_to)
    if filters.pillar:
        rows = rows.filter(category__pillar=filters.pillar)
    if filters.category:
        rows = rows.filter(category=filters.category)
    for key in ("payee", "vendor", "contract"):
        if extra.get(key):
            rows = rows.filter(**{f"{key}_id": extra[key]})
    if extra.get("month"):
        rows = rows.filter(month=extra["month"])
    if extra.get("on_contract") == "yes":
        rows = rows.filter(contract__isnull=False)
    elif extra.get("on_contract") == "no":
        rows = rows.filter(contract__isnull=True)
    return rows


def contract_candidates(tx: Transaction) -> list[Contract]:
    """The contracts the rule considered for a payment, in the rule's order (first = chosen)."""
    if tx.vendor_id is None:
        return []
    contracts = (
        Contract.objects.filter(awards__vendor_id=tx.vendor_id, authorities=tx.authority_id)
        .exclude(status__in=["planned", "in_procurement"])
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=tx.payment_date))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=tx.payment_date))
        .distinct()
    )
    if tx.category_id:
        contracts = contracts.filter(category_id=tx.category_id)
    order = {"single_supplier": 0, "framework": 1}
    return sorted(
        contracts,
        key=lambda c: (
            order.get(c.kind, 2),
            -(c.start_date or datetime.date(1900, 1, 1)).toordinal(),
            c.reference,
        ),
    )


def rejected_rows_with_cells(spend_import) -> QuerySet:
    """One entry per rejected row whose cells were kept, in file order."""
    return (
        spend_import.rejects.filter(kind=SkipKind.REJECTED)
        .exclude(cells=[])
        .only("row_number", "cells")
        .order_by("row_number", "pk")
    )


def unmatched_payees(*, set_aside: bool = False) -> QuerySet:
    """The payees no vendor matches, biggest spend first: the work queue, or (set_aside) those
    a person set aside as no hub vendor."""
    payees = Payee.objects.filter(vendor__isnull=True)
    if set_aside:
        payees = payees.filter(match_method=MatchMethod.DISMISSED)
    else:
        payees = payees.exclude(match_method=MatchMethod.DISMISSED)
    return payees.select_related("authority").order_by("-total_spend", "pk")


def expense_codes(authority=None, *, unmapped_only: bool = False) -> QuerySet:
    codes = ExpenseCode.objects.select_related("authority", "category")
    if authority:
        codes = codes.filter(authority=authority)
    if unmapped_only:
        codes = codes.filter(category__isnull=True)
    return codes.order_by(F("category_id").asc(nulls_first=True), "-total_spend", "pk")
