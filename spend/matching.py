"""Matching: payees to vendors (exact names and aliases, then registration id, then fuzzy
suggestions a person confirms), and transactions to contracts (the on/off-contract rule)."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Trim, Upper
from rapidfuzz import fuzz, process

from categories.models import Authority
from spend import summaries
from spend.models import STAGING_TABLE, MatchMethod, Payee, staging_table
from spend.values import normalize_name
from vendors.models import Vendor, VendorAlias

SUGGESTION_CUTOFF = 80
PARAMS_PER_QUERY = 10_000
# The advisory lock key of an authority's imports (spend.importer._lock_authority) and re-matches.
IMPORT_LOCK = 770077
# The rule, in words, for the pages that show a match.
CONTRACT_RULE = (
    "A payment is on contract when its vendor holds an award on a contract that covers the "
    "authority, is live on the payment date (not planned or in procurement; started and not "
    "ended), and is in the payment's mapped category where it has one. When several contracts "
    "qualify, a single-supplier contract beats a framework, which beats a multi-authority "
    "contract; then the most recently started wins; then the lowest reference."
)


def contract_matches_sql(source: str) -> str:
    """SQL for (row_id, contract_id, n): the contract the rule picks for each row of `source`
    and how many qualified. `source` is a subquery with row_id, vendor_id, authority_id,
    category_id and payment_date. Set-based (joins and a window), never one query per row.
    contracts.services.SPEND_MATCH_FIELDS names the contract columns read here: keep in step."""
    return f"""
        SELECT x.row_id, x.contract_id, x.n FROM (
          SELECT d.row_id, d.contract_id,
                 ROW_NUMBER() OVER (PARTITION BY d.row_id
                                    ORDER BY d.rnk, d.started DESC, d.ref) AS rn,
                 COUNT(*) OVER (PARTITION BY d.row_id) AS n
          FROM (
            SELECT DISTINCT t.row_id, c.id AS contract_id,
                   CASE c.kind WHEN 'single_supplier' THEN 0 WHEN 'framework' THEN 1
                               ELSE 2 END AS rnk,
                   COALESCE(c.start_date, '1900-01-01') AS started, c.reference AS ref
            FROM ({source}) t
            JOIN contracts_contractaward a ON a.vendor_id = t.vendor_id
            JOIN contracts_contract c ON c.id = a.contract_id
            JOIN contracts_contract_authorities ca
              ON ca.contract_id = c.id AND ca.authority_id = t.authority_id
            WHERE c.status NOT IN ('planned', 'in_procurement')
              AND (c.start_date IS NULL OR c.start_date <= t.payment_date)
              AND (c.end_date IS NULL OR c.end_date >= t.payment_date)
              AND (t.category_id IS NULL OR c.category_id = t.category_id)
          ) d
        ) x WHERE x.rn = 1
    """


def vendor_name_index() -> tuple[dict[str, int], dict[str, int]]:
    """Normalised vendor names and aliases -> vendor id, and registration ids -> vendor id.
    A name shared by two vendors matches neither (a person decides), unless a person already
    decided: a name whose payees were confirmed to one vendor only matches it."""
    names: dict[str, set[int]] = defaultdict(set)
    registrations: dict[str, set[int]] = defaultdict(set)
    for pk, legal_name, number, code in Vendor.objects.values_list(
        "pk", "legal_name", "company_number", "vendor_code"
    ):
        names[normalize_name(legal_name)].add(pk)
        for reg in (number, code):
            if reg.strip():
                registrations[reg.strip().upper()].add(pk)
    for vendor_id, name in VendorAlias.objects.values_list("vendor_id", "name"):
        names[normalize_name(name)].add(vendor_id)
    # What people decided: payees confirmed to a vendor, by name (any authority's).
    confirmed: dict[str, set[int]] = defaultdict(set)
    for key, vendor_id in Payee.objects.filter(match_method=MatchMethod.CONFIRMED).values_list(
        "normalized_name", "vendor_id"
    ):
        confirmed[key].add(vendor_id)
    unique = {k: next(iter(v)) for k, v in names.items() if k and len(v) == 1}
    unique |= {k: next(iter(v)) for k, v in confirmed.items() if k and len(v) == 1}
    regs = {k: next(iter(v)) for k, v in registrations.items() if len(v) == 1}
    return unique, regs


def match_new_payees(
    *, authority_id: int, import_id: int | None = None, staging: str = STAGING_TABLE
) -> list[int]:
    """Match the authority's unmatched payees (those of one import, staged in `staging`, if
    given) by exact name or alias, then by registration id. Returns the ids of those matched
    that had payments already: theirs must be re-matched (rematch_payees)."""
    names, registrations = vendor_name_index()
    payees = Payee.objects.filter(authority_id=authority_id, vendor__isnull=True)
    if import_id is None:
        batches = [payees]
    else:
        # The import's distinct payee keys first, then their payees in batches: a plain
        # IN (subquery) here can get a nested-loop plan over a big staging table.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT payee_key FROM {staging_table(staging)} "
                "WHERE spend_import_id = %s",
                [import_id],
            )
            keys = [row[0] for row in cursor.fetchall()]
        batches = [
            payees.filter(normalized_name__in=keys[i : i + 1000]) for i in range(0, len(keys), 1000)
        ]
    changed = []
    for batch in batches:
        for payee in batch.only("pk", "normalized_name", "supplier_id", "transaction_count"):
            vendor_id = names.get(payee.normalized_name)
            method = MatchMethod.NAME
            if vendor_id is None and payee.supplier_id:
                vendor_id = registrations.get(payee.supplier_id.strip().upper())
                method = MatchMethod.REGISTRATION
            if vendor_id is not None:
                payee.vendor_id, payee.match_method = vendor_id, method
                changed.append(payee)
    Payee.objects.bulk_update(changed, ["vendor", "match_method"], batch_size=1000)
    return [payee.pk for payee in changed if payee.transaction_count]


@transaction.atomic
def match_payees_for_vendor(*, vendor_id: int) -> list[int]:
    """A vendor was created or its names or registration ids changed (its admin queues this):
    the unmatched payees, not set aside, whose name or supplier id now points at it match by
    the import's rules (exact name or alias first, then registration id; a name two vendors
    share matches neither), and their payments are re-matched. A payee already matched stays
    as it is. Safe to run twice. Returns the ids of the payees matched."""
    names, registrations = vendor_name_index()
    mine = [name for name, pk in names.items() if pk == vendor_id]
    regs = [reg for reg, pk in registrations.items() if pk == vendor_id]
    candidates = (
        Payee.objects.filter(vendor__isnull=True)
        .exclude(match_method=MatchMethod.DISMISSED)
        .annotate(reg=Upper(Trim("supplier_id")))
        .filter(Q(normalized_name__in=mine) | Q(reg__in=regs))
    )
    changed = []
    for payee in candidates.only("pk", "normalized_name", "supplier_id"):
        by_name = names.get(payee.normalized_name)
        payee.vendor_id = by_name or registrations.get(payee.supplier_id.strip().upper())
        payee.match_method = MatchMethod.NAME if by_name else MatchMethod.REGISTRATION
        changed.append(payee)
    if not changed:
        return []
    Payee.objects.bulk_update(changed, ["vendor", "match_method"])
    wait_for_imports()
    ids = [payee.pk for payee in changed]
    rematch_payees(payee_ids=ids)
    return ids


def fixed_match(payee: Payee, vendor: Vendor) -> str | None:
    """Why the payee's match to the vendor is the vendor's own doing (its legal name or
    registration id), so that only changing the vendor changes it; None if a person or an
    alias made it."""
    if payee.match_method == MatchMethod.REGISTRATION:
        return f"“{payee.name}” matches {vendor.legal_name} by its registration id."
    if normalize_name(vendor.legal_name) == payee.normalized_name:
        return f"“{payee.name}” is {vendor.legal_name}'s legal name."
    return None


def suggestions_for(payees, *, limit: int = 3) -> dict[int, list[tuple[Vendor, float]]]:
    """Fuzzy vendor suggestions for each payee: {payee id: [(vendor, score), ...]}."""
    names: dict[str, int] = {}
    for pk, legal_name in Vendor.objects.values_list("pk", "legal_name"):
        names.setdefault(normalize_name(legal_name), pk)
    for vendor_id, name in VendorAlias.objects.values_list("vendor_id", "name"):
        names.setdefault(normalize_name(name), vendor_id)
    choices = list(names)
    found: dict[int, list[tuple[int, float]]] = {}
    for payee in payees:
        seen: dict[int, float] = {}
        for _name, score, index in process.extract(
            payee.normalized_name,
            choices,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=SUGGESTION_CUTOFF,
            limit=limit * 2,
        ):
            vendor_id = names[choices[index]]
            seen[vendor_id] = max(seen.get(vendor_id, 0), score)
        found[payee.pk] = sorted(seen.items(), key=lambda kv: -kv[1])[:limit]
    vendors = Vendor.objects.in_bulk({v for pairs in found.values() for v, _ in pairs})
    return {pk: [(vendors[v], round(s)) for v, s in pairs] for pk, pairs in found.items()}


def refresh_totals(*, authority_id: int, payee_sql: str, code_sql: str, params: list) -> None:
    """Recompute total spend and counts of the payees/codes whose keys the subqueries give:
    one grouped pass over their transactions each (set-based, no per-row subqueries)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE spend_payee SET total_spend = agg.spend, transaction_count = agg.n,
                                   on_contract_spend = agg.on_contract
            FROM (SELECT t.payee_id, SUM(t.amount) AS spend, COUNT(*) AS n,
                         SUM(CASE WHEN t.contract_id IS NULL THEN 0 ELSE t.amount END)
                           AS on_contract
                  FROM spend_transaction t
                  JOIN spend_payee p ON p.id = t.payee_id
                  WHERE p.authority_id = %s AND p.normalized_name IN ({payee_sql})
                  GROUP BY t.payee_id) agg
            WHERE spend_payee.id = agg.payee_id
            """,
            [authority_id, *params],
        )
        cursor.execute(
            f"""
            UPDATE spend_expensecode SET total_spend = agg.spend, transaction_count = agg.n
            FROM (SELECT t.expense_code_id, SUM(t.amount) AS spend, COUNT(*) AS n
                  FROM spend_transaction t
                  JOIN spend_expensecode e ON e.id = t.expense_code_id
                  WHERE e.authority_id = %s AND e.key IN ({code_sql})
                  GROUP BY t.expense_code_id) agg
            WHERE spend_expensecode.id = agg.expense_code_id
            """,
            [authority_id, *params],
        )


def add_import_totals(*, import_id: int, after_id: int) -> None:
    """Add the payments an import has just inserted (its rows with ids above `after_id`) to
    their payees' and codes' totals: work in proportion to the import, not to the payees'
    history. (Re-matching, which moves spend between on and off contract, recomputes.)"""
    _change_totals("+", where="id > %s AND spend_import_id = %s", params=[after_id, import_id])


def subtract_totals(*, where: str, params: list) -> None:
    """Take the payments the WHERE clause picks out of their payees' and codes' totals (just
    before they are deleted)."""
    _change_totals("-", where=where, params=params)


def _change_totals(sign: str, *, where: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE spend_payee SET
                total_spend = spend_payee.total_spend {sign} agg.spend,
                transaction_count = spend_payee.transaction_count {sign} agg.n,
                on_contract_spend = spend_payee.on_contract_spend {sign} agg.on_contract
            FROM (SELECT payee_id, SUM(amount) AS spend, COUNT(*) AS n,
                         SUM(CASE WHEN contract_id IS NULL THEN 0 ELSE amount END)
                           AS on_contract
                  FROM spend_transaction WHERE {where}
                  GROUP BY payee_id) agg
            WHERE spend_payee.id = agg.payee_id
            """,
            params,
        )
        cursor.execute(
            f"""
            UPDATE spend_expensecode SET
                total_spend = spend_expensecode.total_spend {sign} agg.spend,
                transaction_count = spend_expensecode.transaction_count {sign} agg.n
            FROM (SELECT expense_code_id, SUM(amount) AS spend, COUNT(*) AS n
                  FROM spend_transaction
                  WHERE {where} AND expense_code_id IS NOT NULL
                  GROUP BY expense_code_id) agg
            WHERE spend_expensecode.id = agg.expense_code_id
            """,
            params,
        )


def refresh_payee_totals(*, where: str, params: list) -> None:
    """Totals of the payees and codes of the transactions the WHERE clause picks."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT authority_id FROM spend_transaction WHERE {where}", params)
        authorities = [row[0] for row in cursor.fetchall()]
    for authority_id in authorities:
        refresh_totals(
            authority_id=authority_id,
            payee_sql=f"SELECT p.normalized_name FROM spend_payee p WHERE p.id IN "
            f"(SELECT payee_id FROM spend_transaction WHERE {where})",
            code_sql=f"SELECT e.key FROM spend_expensecode e WHERE e.id IN "
            f"(SELECT expense_code_id FROM spend_transaction WHERE {where})",
            params=params,
        )


def rematch_transactions(*, where: str, params: list) -> list[tuple[int, object]]:
    """Re-derive vendor, category and contract of the transactions the WHERE clause picks
    (set-based). Returns the (authority id, month) slices touched, for the summaries."""
    matches = contract_matches_sql(
        "SELECT id AS row_id, vendor_id, authority_id, category_id, payment_date "
        f"FROM spend_transaction WHERE ({where}) AND vendor_id IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE spend_transaction SET
              vendor_id = (SELECT p.vendor_id FROM spend_payee p
                           WHERE p.id = spend_transaction.payee_id),
              category_id = (SELECT e.category_id FROM spend_expensecode e
                             WHERE e.id = spend_transaction.expense_code_id),
              contract_id = NULL,
              contract_candidates = 0
            WHERE {where}
            """,
            params,
        )
        cursor.execute(
            f"""
            UPDATE spend_transaction SET contract_id = m.contract_id, contract_candidates = m.n
            FROM ({matches}) m
            WHERE spend_transaction.id = m.row_id
            """,
            params,
        )
        cursor.execute(
            f"SELECT DISTINCT authority_id, month FROM spend_transaction WHERE {where}", params
        )
        return list(cursor.fetchall())


def rematch_payees(*, payee_ids: list[int]) -> None:
    """After these payees' vendor changed: re-match their payments, then their payees' and
    codes' totals and the summaries of their months."""
    slices = set()
    for start in range(0, len(payee_ids), PARAMS_PER_QUERY):  # PostgreSQL takes 65,535.
        batch = payee_ids[start : start + PARAMS_PER_QUERY]
        where = f"payee_id IN ({', '.join(['%s'] * len(batch))})"
        slices.update(rematch_transactions(where=where, params=batch))
        refresh_payee_totals(where=where, params=batch)
    summaries.refresh_slices(slices)


@transaction.atomic
def rematch_vendors(*, vendor_ids: Iterable[int]) -> list[tuple[int, object]]:
    """Re-match these vendors' payments after a contract's awards, authorities, dates, status,
    kind or category changed; then their payees' and codes' totals and the summaries of their
    months, as payee_confirm does. Recomputed from the contracts as they are, so a second run
    changes nothing. Returns the (authority id, month) slices refreshed."""
    ids = sorted(set(vendor_ids))
    if not ids:
        return []
    wait_for_imports()
    where = f"vendor_id IN ({', '.join(['%s'] * len(ids))})"
    slices = rematch_transactions(where=where, params=ids)
    refresh_payee_totals(where=where, params=ids)
    summaries.refresh_slices(slices)
    return slices


def lock_authority(authority_id: int) -> None:
    """Hold the authority's import lock until commit: no import or re-match of its payments
    meanwhile (PostgreSQL; SQLite has one writer at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK, authority_id])


def wait_for_imports() -> None:
    """Hold every authority's import lock, in id order, until commit. An import in flight may
    have matched its payments against the contracts before the change: this waits for it to
    commit, so the re-match sees them; an import starting meanwhile waits, then matches
    against the changed contracts. (SQLite has one writer at a time.)"""
    if connection.vendor != "postgresql":
        return
    for authority_id in Authority.objects.order_by("pk").values_list("pk", flat=True):
        lock_authority(authority_id)
