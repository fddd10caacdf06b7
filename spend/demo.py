"""Demo spend: monthly payments to the vendors of the demo contracts (some contracts nearly or
wholly used up), payments to suppliers with no contract (some spelt like a hub vendor, for the
unmatched-payees queue), and expense codes mapped to categories with a few left unmapped.

Written in bulk, then matched and summarised with the same set-based SQL as an import, so the
analysis pages show what an import would have produced. ~1,000 contracts take a few seconds.
"""

import datetime
import hashlib
import time
from decimal import Decimal

from django.db import transaction

from categories.models import Authority, Category
from contracts.models import Contract, ContractStatus
from spend import matching, summaries
from spend.models import ExpenseCode, ImportStatus, Payee, SpendImport, Transaction
from spend.values import normalize_name

MONTHS = 24
OFF_CONTRACT_SUPPLIERS = [
    "Riverside Catering Co", "Hilltop Plant Hire", "Northgate Signs", "Brightwell Training",
    "Castle Mill Consulting", "Oakfield Removals", "Meadow Lane Print", "Quayside Security",
    "Kingfisher Events", "Westway Couriers", "Ashdown Surveys", "Fernleigh Legal",
]  # fmt: skip


DEFAULT_TERM_MONTHS = 36  # for a contract with no end date


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _month_starts(today: datetime.date, count: int) -> list[datetime.date]:
    months, day = [], today.replace(day=1)
    for _ in range(count):
        months.append(day)
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return sorted(months)


@transaction.atomic
def seed(ctx) -> None:
    rng, today = ctx.rng, ctx.today
    started = time.monotonic()
    authorities = list(Authority.objects.order_by("pk"))
    if not authorities:
        ctx.log("  no authorities: no spend seeded")
        return
    months = _month_starts(today, MONTHS)
    this_month = today.replace(day=1)
    # One import per authority, as each council's file is imported under its own name.
    imports = {
        authority.pk: SpendImport.objects.create(
            authority=authority,
            file_name=f"demo-spend-{authority.code}.csv",
            upload=f"spend/imports/demo-spend-{authority.code}.csv",
            content_hash=hashlib.sha256(
                f"demo {ctx.seed} {today} {authority.code}".encode()
            ).hexdigest(),
            status=ImportStatus.DONE,
            mapping={"note": "demo data"},
            finished_at=datetime.datetime.combine(today, datetime.time(9), datetime.UTC),
        )
        for authority in authorities
    }
    codes = _expense_codes(authorities, rng)
    contracts = list(
        Contract.objects.filter(status__in=[ContractStatus.ACTIVE, ContractStatus.EXPIRED])
        .exclude(awarded_value=None)
        .prefetch_related("awards__vendor", "authorities")
        .order_by("pk")
    )
    payees: dict[tuple[int, str], Payee] = {}

    def payee(authority, name, vendor=None):
        key = (authority.pk, normalize_name(name))
        if key not in payees:
            payees[key] = Payee(
                authority=authority, name=name, normalized_name=key[1], vendor=vendor,
                match_method="name" if vendor else "",
            )  # fmt: skip
        return payees[key]

    rows = []
    for contract in contracts:
        awards = list(contract.awards.all())
        bodies = list(contract.authorities.all()) or authorities[:1]
        if not awards or contract.start_date is None:
            continue
        ends = contract.end_date or _add_months(contract.start_date, DEFAULT_TERM_MONTHS)
        live = [m for m in months if contract.start_date <= m <= min(ends, today)]
        if not live:
            continue
        # Spend runs evenly over the whole term, at a usage of the value that leaves most
        # contracts under 80% at their end and some nearly or over it.
        usage = rng.choice([0.3, 0.5, 0.6, 0.7, 0.85, 0.95, 1.1])
        term = max(1, _months_between(contract.start_date, ends))
        monthly = Decimal(contract.awarded_value) * Decimal(str(usage)) / term
        for month in live:
            if rng.random() < 0.2:
                continue
            award = rng.choice(awards)
            authority = rng.choice(bodies)
            # The current month has run only until today.
            elapsed = Decimal(1) if month < this_month else Decimal(min(today.day, 30)) / 30
            amount = (monthly * elapsed * Decimal(str(rng.uniform(0.7, 1.3)))).quantize(
                Decimal("0.01")
            )
            if amount <= 0:
                continue
            rows.append((authority, payee(authority, award.vendor.legal_name, award.vendor),
                         month, amount, codes[(authority.pk, contract.category_id)]))  # fmt: skip
    vendors_seen = sorted({p.vendor.legal_name for p in payees.values() if p.vendor})
    misspelt = [name.upper().replace(" LTD", "").replace("A", "", 1) for name in vendors_seen[:6]]
    unmapped = {a.pk: codes[(a.pk, None)] for a in authorities}
    for name in OFF_CONTRACT_SUPPLIERS + misspelt:
        authority = rng.choice(authorities)
        for month in rng.sample(months, k=min(len(months), rng.randint(3, 10))):
            amount = Decimal(rng.randint(2_000, 250_000)).quantize(Decimal("0.01"))
            rows.append((authority, payee(authority, name), month, amount, unmapped[authority.pk]))
    Payee.objects.bulk_create(payees.values(), batch_size=2000)
    saved = {(p.authority_id, p.normalized_name): p for p in Payee.objects.all()}
    transactions, numbers = [], dict.fromkeys(imports, 0)
    for n, (authority, p, month, amount, code) in enumerate(rows, start=1):
        numbers[authority.pk] += 1
        # No payment after today: this month's payments fall between its 1st and today.
        day = month + datetime.timedelta(days=rng.randint(0, min(27, (today - month).days)))
        transactions.append(
            Transaction(
                authority=authority,
                spend_import=imports[authority.pk],
                row_number=numbers[authority.pk],
                reference=f"DEMO-{n:06d}",
                payment_date=day,
                month=month,
                amount=amount,
                supplier_name=p.name,
                payee=saved[(authority.pk, p.normalized_name)],
                expense_code=code,
            )
        )
    Transaction.objects.bulk_create(transactions, batch_size=2000)
    ids = [imp.pk for imp in imports.values()]
    slices = matching.rematch_transactions(
        where=f"spend_import_id IN ({', '.join(['%s'] * len(ids))})", params=ids
    )
    summaries.refresh_slices(slices)
    for authority in authorities:
        matching.refresh_totals(
            authority_id=authority.pk,
            payee_sql="SELECT normalized_name FROM spend_payee WHERE authority_id = %s",
            code_sql="SELECT key FROM spend_expensecode WHERE authority_id = %s",
            params=[authority.pk],
        )
    for imp in imports.values():
        mine = [t for t in transactions if t.spend_import_id == imp.pk]
        imp.total_rows = imp.imported_rows = len(mine)
        imp.months = sorted({t.month.isoformat() for t in mine})
        imp.save(update_fields=["total_rows", "imported_rows", "months"])
    ctx.log(
        f"  spend: {len(transactions)} payments, {len(saved)} payees, {len(codes)} expense codes "
        f"in {time.monotonic() - started:.1f} s"
    )


def _expense_codes(authorities, rng) -> dict:
    """One code per authority and category (mapped), and one unmapped code per authority."""
    categories = list(Category.objects.order_by("code"))
    codes = []
    for authority in authorities:
        for number, category in enumerate(categories, start=1):
            key = f"E{number:03d}"
            codes.append(
                ExpenseCode(
                    authority=authority, key=key, code=key, name=category.name, category=category
                )
            )
        codes.append(ExpenseCode(authority=authority, key="Z999", code="Z999",
                                 name="Miscellaneous supplies and services"))  # fmt: skip
    ExpenseCode.objects.bulk_create(codes)
    saved = {}
    for code in ExpenseCode.objects.filter(authority__in=authorities):
        saved[(code.authority_id, code.category_id)] = code
    return saved
