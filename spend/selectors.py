"""Reads of the spend app. Analysis reads only the summary tables; drill-down reads
transactions with indexed filters, one page at a time."""

import datetime
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce

from categories.models import Authority
from contracts.models import Contract, ContractStatus
from spend import periods
from spend.forms import SpendFilters
from spend.matching import fixed_match
from spend.models import (
    HOLDS_PAYMENTS,
    ContractSpend,
    ExpenseCode,
    MatchMethod,
    Payee,
    PillarSupplier,
    SkipKind,
    SpendCube,
    SpendImport,
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


def spend_by_supplier(filters: SpendFilters) -> "RankedRows":
    """Every supplier in the filters, biggest spend first (the top suppliers' export)."""
    return _supplier_ranking(filters)


def overview(filters: SpendFilters, *, suppliers: int) -> dict:
    totals = cube_rows(filters).aggregate(**_totals())
    spend = totals["spend"]
    totals["share"] = round(100 * totals["on_contract_spend"] / spend, 1) if spend else None
    totals["suppliers"] = suppliers
    return totals


def _all_time(filters: SpendFilters) -> bool:
    """No date, pillar or category filter: the payees' all-time totals answer directly."""
    return not (filters.date_from or filters.date_to or filters.pillar or filters.category)


def _pillar_all_time(filters: SpendFilters) -> bool:
    """A pillar, perhaps an authority, and nothing else: PillarSupplier answers directly."""
    return bool(filters.pillar) and not (filters.date_from or filters.date_to or filters.category)


# Supplier rankings. A supplier is the hub vendor a payee is matched to, with all the names and
# authorities it was paid under, else the payee itself (`unmatched_payee_id`). Every row has
# spend, `contracted` (its on-contract part) and payments. Ties rank by ids.

_NO_PAYEE = Value(None, output_field=BigIntegerField())


def _supplier_keys(per_authority: bool) -> list[str]:
    return ["authority_id", "vendor_id"] if per_authority else ["vendor_id"]


def _supplier_order(per_authority: bool) -> list:
    keys = (*_supplier_keys(per_authority), "unmatched_payee_id")
    return ["-spend", *(F(key).asc(nulls_last=True) for key in keys)]


def _grouped_suppliers(filters: SpendFilters, *, per_authority: bool) -> QuerySet:
    """From the summaries (read as the fewest months, quarters and years): one aggregate,
    grouped by vendor, or by payee where there is none."""
    totals = _totals()
    totals["contracted"] = totals.pop("on_contract_spend")
    unmatched = Case(When(vendor_id__isnull=True, then=F("payee_id")))
    rows = supplier_rows(filters).values(
        *_supplier_keys(per_authority), unmatched_payee_id=unmatched
    )
    return rows.annotate(**totals)


def _total_rows(filters: SpendFilters) -> tuple[QuerySet, str, dict[str, str]]:
    """The all-time totals that answer the filters without the summaries (see _all_time and
    _pillar_all_time): the rows, their payee column and their (spend, contracted, payments)
    columns. Each row is one payee's (in one pillar, for PillarSupplier)."""
    if _all_time(filters):
        rows = Payee.objects.filter(transaction_count__gt=0)
        payee = "pk"
        columns = ("total_spend", "on_contract_spend", "transaction_count")
    else:
        rows = PillarSupplier.objects.filter(pillar=filters.pillar, tx_count__gt=0)
        payee = "payee_id"
        columns = ("total", "on_contract_total", "tx_count")
    if filters.authority:
        rows = rows.filter(authority=filters.authority)
    return rows, payee, dict(zip(("spend", "contracted", "payments"), columns, strict=True))


def _supplier_parts(filters: SpendFilters, *, per_authority: bool) -> tuple[QuerySet, QuerySet]:
    """From the all-time totals, in two parts of one shape: matched payees summed by vendor,
    and unmatched payees as they are, one row each (no aggregate: grouping every unmatched
    payee as well took 4 times as long over 57,000 payees)."""
    rows, payee, columns = _total_rows(filters)
    keys = _supplier_keys(per_authority)
    matched = (
        rows.filter(vendor__isnull=False)
        .values(*keys, unmatched_payee_id=_NO_PAYEE)
        .annotate(**{name: Sum(column) for name, column in columns.items()})
    )
    unmatched = rows.filter(vendor__isnull=True).values(
        *keys, unmatched_payee_id=F(payee), **{name: F(col) for name, col in columns.items()}
    )
    return matched, unmatched


HALF_PENNY = Decimal("0.005")


def _supplier_ranking(
    filters: SpendFilters,
    *,
    per_authority: bool = False,
    off_contract_from: Decimal | None = None,
    per_page: int = PAGE_SIZE,
) -> "RankedRows":
    """Suppliers ranked by spend in the filters (with off_contract_from, only those paid at
    least that with none of it on a contract): with no date, pillar or category filter from
    the payees' all-time totals; with only a pillar (and perhaps an authority) from the
    pillar's all-time supplier totals; else from the summaries."""
    order = _supplier_order(per_authority)
    # The off-contract list leaves out payees a person set aside as no hub vendor (another
    # council, a tax authority): nothing to source from them. A hashed subquery of a few ids.
    set_aside = Payee.objects.filter(match_method=MatchMethod.DISMISSED).values("pk")
    if off_contract_from is not None:
        # Half a penny below: every sum is whole pence, but SQLite adds them as binary floats
        # (162.35 + 294.58 + 43.07 = 499.99999999999994), and "at least £500" must keep it.
        off_contract_from -= HALF_PENNY
    if not (_all_time(filters) or _pillar_all_time(filters)):
        rows = _grouped_suppliers(filters, per_authority=per_authority)
        if off_contract_from is not None:
            rows = rows.filter(contracted=0, spend__gte=off_contract_from)
            rows = rows.exclude(payee_id__in=set_aside)
        return RankedRows(rows.order_by(*order), per_page=per_page)
    parts = _supplier_parts(filters, per_authority=per_authority)
    if off_contract_from is not None:
        matched, unmatched = (
            part.filter(contracted=0, spend__gte=off_contract_from) for part in parts
        )
        parts = [matched, unmatched.exclude(unmatched_payee_id__in=set_aside)]
    matched, unmatched = (part.order_by() for part in parts)  # SQLite: no ORDER BY in a part.
    return RankedRows(
        matched.union(unmatched, all=True).order_by(*order),
        count=lambda: matched.union(unmatched, all=True).count(),
        per_page=per_page,
    )


def top_suppliers(filters: SpendFilters, *, limit: int = TOP_SUPPLIERS) -> tuple[list, int]:
    """The top suppliers and how many suppliers were paid."""
    ranked = _supplier_ranking(filters, per_page=limit)
    return ranked[:limit], ranked.count()


def _rows_by_pk(model, ids: set, *fields: str) -> dict[int, dict]:
    """{pk: {field: value}} of the model's rows with these ids (None ignored); no query for
    none."""
    ids = ids - {None}
    return (
        {row["pk"]: row for row in model.objects.filter(pk__in=ids).values("pk", *fields)}
        if ids
        else {}
    )


def _named(rows: list[dict]) -> list[dict]:
    """Name ranked supplier rows: `supplier` (the vendor's legal name, else the name the payee
    was paid under), `vendor__legal_name`, `payee__name` and `authority__name` (the row's
    authority, or the unmatched payee's; blank for a vendor across authorities); and turn
    `contracted` into `on_contract_spend` and `share`. At most three queries, none for no rows."""
    if not rows:
        return rows
    payees = _rows_by_pk(Payee, {r["unmatched_payee_id"] for r in rows}, "name",
                         "authority__name", "match_method")  # fmt: skip
    vendors = _rows_by_pk(Vendor, {r["vendor_id"] for r in rows}, "legal_name", "vendor_code")
    # Rows ranked per authority: their vendors' authorities.
    authorities = _rows_by_pk(
        Authority, {r["authority_id"] for r in rows if r.get("authority_id") and r["vendor_id"]},
        "name",
    )  # fmt: skip
    named = []
    for row in rows:
        payee = payees.get(row["unmatched_payee_id"]) or {}
        vendor = vendors.get(row["vendor_id"]) or {}
        authority = payee.get("authority__name") or authorities.get(
            row.get("authority_id"), {}
        ).get("name", "")
        named.append({
            **row,
            "supplier": vendor.get("legal_name") or payee.get("name", ""),
            "vendor__legal_name": vendor.get("legal_name"),
            "vendor_code": vendor.get("vendor_code", ""),
            "payee__name": payee.get("name"),
            "set_aside": payee.get("match_method") == MatchMethod.DISMISSED,
            "authority__name": authority,
            "on_contract_spend": row["contracted"],
        })  # fmt: skip
    return _with_share(named)


class RankedRows:
    """Supplier rows ranked by spend (see _supplier_ranking), read a page at a time; each slice
    names only its own rows. Grouped rows count themselves in the first page's query (a window
    over the groups), so that the paginator's count and page one cost one aggregate, not two; a
    union, which takes no window, is counted by `count`."""

    NAMING_BATCH = 500  # Ids per naming query (SQLite's parameter limit).

    def __init__(self, rows: QuerySet, *, per_page: int = PAGE_SIZE, count=None):
        self._rows = rows
        self._counter = count
        self._per_page = per_page
        self._first: list[dict] | None = None
        self._count: int | None = None

    def _first_page(self) -> list[dict]:
        if self._first is None:
            if self._counter:
                # Counted whether or not the first page is full: the same queries at any size.
                self._first = list(self._rows[: self._per_page])
                self._count = self._counter()
            else:
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
        "assumed_dates": assumed_dates(filters),
        "top_suppliers": top,
        "concentration": concentration(top, totals["spend"]),
    }


def assumed_dates(filters: SpendFilters) -> list[dict]:
    """The imports whose undated rows were dated by assumption (their files gave no date) on a
    day in the filters' dates: each spikes its month. One query over the imports."""
    imports = SpendImport.objects.filter(status__in=HOLDS_PAYMENTS, undated_rows__gt=0)
    if filters.authority:
        imports = imports.filter(authority=filters.authority)
    if filters.date_from:
        imports = imports.filter(undated_as__gte=_month(filters.date_from))
    if filters.date_to:
        imports = imports.filter(undated_as__lte=filters.date_to)
    return list(
        imports.order_by("undated_as", "pk").values("pk", "file_name", "undated_as", "undated_rows")
    )


def off_contract_suppliers(filters: SpendFilters, *, threshold: Decimal | None = None):
    """Suppliers paid at least the threshold in the period with none of it on a contract, each
    authority apart (a contract covers some authorities, not others): the list that drives new
    sourcing work. A hub vendor counts once per authority, whatever names it was paid under."""
    threshold = settings.SPEND_OFF_CONTRACT_THRESHOLD if threshold is None else threshold
    return _supplier_ranking(filters, per_authority=True, off_contract_from=threshold)


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
        spent = totals[contract.pk]
        if spent * 100 >= value * warn:
            rows.append({"contract": contract, "spend": spent, "value": value,
                         "percent": _share(spent, value), "used_up": spent >= value})  # fmt: skip
    rows.sort(key=lambda r: (-r["percent"], r["contract"].reference))
    return rows


def contracts_using_their_value(*, warn_percent: int | None = None) -> list[tuple]:
    """(contract id, spend to date, value) of every active contract whose spend reached the
    warning share of its value (awarded, else estimated), for the reminder scan: one grouped
    pass over the per-contract monthly totals, by the contract's unique key."""
    warn = settings.SPEND_BURN_WARN_PERCENT if warn_percent is None else warn_percent
    spent = (
        ContractSpend.objects.filter(contract=OuterRef("pk"))
        .order_by()
        .values("contract")
        .annotate(total=Sum("total"))
        .values("total")
    )
    return list(
        Contract.objects.filter(status=ContractStatus.ACTIVE)
        .annotate(value=Coalesce("awarded_value", "estimated_value"), spent=Subquery(spent))
        .filter(value__gt=0, spent__gte=F("value") * warn / 100)
        .order_by("pk")
        .values_list("pk", "spent", "value")
    )


def _share(spent: Decimal, value: Decimal) -> Decimal:
    """Spend as a percentage of value, cut (not rounded) to one decimal: flags compare the exact
    amounts, and £999.96 of £1,000 reads 99.9%, never a "100.0%" that is not used up."""
    return (100 * spent / value).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


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
    return {
        "months": months,
        "total": running,
        "value": value,
        "percent": _share(running, value) if value else None,
        "warn": bool(value) and running * 100 >= value * settings.SPEND_BURN_WARN_PERCENT,
        "used_up": bool(value) and running >= value,
        "chart": {
            "labels": [r["month"].strftime("%b %Y") for r in months],
            "cumulative": [float(r["cumulative"]) for r in months],
            "value": float(value) if value else None,
        },
    }


VENDOR_PAYEES = 10  # Names a vendor was paid under, shown on its page (the biggest first).


def vendor_spend(vendor) -> dict | None:
    """Spend with a vendor over time and by authority (two queries on the summary), and the
    names it was paid under, as matched (one query, and a count past VENDOR_PAYEES)."""
    rows = SpendSummary.objects.filter(vendor=vendor)
    by_month = list(rows.values("month").annotate(spend=Sum("total")).order_by("month"))
    if not by_month:
        return None
    by_authority = list(
        rows.values("authority_id", "authority__name")
        .annotate(spend=Sum("total"))
        .order_by("-spend")
    )
    payees = Payee.objects.filter(vendor=vendor, transaction_count__gt=0)
    biggest = payees.select_related("authority").order_by("-total_spend", "pk")
    paid_as = list(biggest[:VENDOR_PAYEES])
    for payee in paid_as:
        payee.fixed_match = fixed_match(payee, vendor)
    chart_months = _with_empty_months(by_month, spend=Decimal(0))
    return {
        "by_month": by_month,
        "by_authority": by_authority,
        "paid_as": paid_as,
        "paid_as_count": payees.count() if len(paid_as) == VENDOR_PAYEES else len(paid_as),
        "total": sum(r["spend"] for r in by_month),
        "chart": {
            "labels": [r["month"].strftime("%b %Y") for r in chart_months],
            "spend": [float(r["spend"]) for r in chart_months],
        },
    }


# Drill-down ---------------------------------------------------------------------------------


def transactions(filters: SpendFilters, extra: dict) -> QuerySet:
    """Transactions in the filters (exact dates here), plus the drill-down keys in `extra`:
    payee, vendor, contract, month, on_contract ("yes"/"no"), unmapped (no hub category)."""
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
        if key in extra:  # Id 0 (one too large for a column) matches nothing.
            rows = rows.filter(**{f"{key}_id": extra[key]})
    if extra.get("month"):
        rows = rows.filter(month=extra["month"])
    if extra.get("on_contract") == "yes":
        rows = rows.filter(contract__isnull=False)
    elif extra.get("on_contract") == "no":
        rows = rows.filter(contract__isnull=True)
    if extra.get("unmapped"):
        rows = rows.filter(category__isnull=True)
    return rows


def drill_subjects(extra: dict) -> list[str]:
    """What a drill-down is narrowed to, by name: the payee (and its authority), the vendor, the
    contract. One query per key given; an id that matches nothing reads as "no such …"."""
    subjects = []
    if "payee" in extra:
        payee = Payee.objects.select_related("authority").filter(pk=extra["payee"]).first()
        subjects.append(f"{payee.name} ({payee.authority.name})" if payee else "no such payee")
    if "vendor" in extra:
        vendor = Vendor.objects.filter(pk=extra["vendor"]).values_list("legal_name").first()
        subjects.append(f"the vendor {vendor[0]}" if vendor else "no such vendor")
    if "contract" in extra:
        contract = Contract.objects.filter(pk=extra["contract"]).values_list("reference").first()
        subjects.append(f"the contract {contract[0]}" if contract else "no such contract")
    if extra.get("unmapped"):
        subjects.append("payments whose expense code is not mapped to a hub category")
    return subjects


def _whole_months(filters: SpendFilters) -> bool:
    """The dates (if any) start on a month's first day and end on a month's last."""
    first, last = filters.date_from, filters.date_to
    return (first is None or first.day == 1) and (
        last is None or (last + datetime.timedelta(days=1)).day == 1
    )


def _payee_totals(filters: SpendFilters, extra: dict) -> dict | None:
    """A payee's payments with no other key or filter (its authority aside): its all-time
    totals. (SpendSummary has no index on payee.)"""
    other_keys = extra.keys() - {"payee"}
    if other_keys or filters.date_from or filters.date_to or filters.pillar or filters.category:
        return None
    payees = Payee.objects.filter(pk=extra["payee"])
    if filters.authority:
        payees = payees.filter(authority=filters.authority)
    row = payees.values_list("transaction_count", "total_spend").first() or (0, None)
    return {"count": row[0], "total": row[1]}


def _summary_totals(filters: SpendFilters, extra: dict) -> dict | None:
    """Count and total of the payments in the filters and drill-down keys from a summary that
    holds exactly them, or None where none does (dates inside a month; a payee with other
    filters; a contract with a payee, vendor, pillar or category)."""
    if not _whole_months(filters):
        return None
    if "payee" in extra:
        return _payee_totals(filters, extra)
    if "contract" in extra:
        if "vendor" in extra or "unmapped" in extra or filters.pillar or filters.category:
            return None
        rows = ContractSpend.objects.filter(contract=extra["contract"])
        if filters.authority:
            rows = rows.filter(authority=filters.authority)
        if extra.get("on_contract") == "no":
            rows = rows.none()  # A contract's payments are on contract.
    else:
        rows = SpendSummary.objects.all() if "vendor" in extra else SpendCube.objects.all()
        rows = _filtered(rows, filters)
        if "vendor" in extra:
            rows = rows.filter(vendor_id=extra["vendor"])
        if "on_contract" in extra:
            rows = rows.filter(on_contract=extra["on_contract"] == "yes")
        if "unmapped" in extra:
            rows = rows.filter(category__isnull=True)
    if filters.date_from:
        rows = rows.filter(month__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(month__lte=filters.date_to)
    if "month" in extra:
        rows = rows.filter(month=extra["month"])
    return rows.aggregate(count=Coalesce(Sum("tx_count"), 0), total=Sum("total"))


def payment_totals(filters: SpendFilters, extra: dict, *, all_listed: bool) -> dict | None:
    """How many payments the drill-down list holds and their total: summed from the payments
    when the list holds them all (no more than its cap, so read by the same filters and
    indexes); else from a summary that holds exactly them (whole-month dates, as every
    analysis page links with); else None."""
    if all_listed:
        rows = transactions(filters, extra).select_related(None).order_by()
        totals = rows.aggregate(count=Count("*"), total=Sum("amount"))
    else:
        totals = _summary_totals(filters, extra)
        if totals is None:
            return None
    totals["total"] = totals["total"] or Decimal("0")
    return totals


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
        # spend_import too: the related manager links each row back to it (else a query a row).
        .only("spend_import", "row_number", "cells")
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
