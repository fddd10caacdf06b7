"""Summary tables kept current by imports and re-matching: the analysis pages read only these.

A refresh replaces an authority's months in one transaction (DELETE then INSERT … SELECT …
GROUP BY). Readers keep seeing the old rows until it commits: PostgreSQL's MVCC never blocks a
reader on a writer, and SQLite in WAL mode neither.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction


@transaction.atomic
def refresh(*, authority_id: int, months: Iterable[datetime.date]) -> None:
    months = sorted(set(months))
    if not months:
        return
    marks = ", ".join(["%s"] * len(months))
    params = [authority_id, *months]
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM spend_spendsummary WHERE authority_id = %s AND month IN ({marks})",
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO spend_spendsummary (authority_id, month, pillar_id, category_id,
                                            payee_id, vendor_id, on_contract, total, tx_count)
            SELECT t.authority_id, t.month, c.pillar_id, t.category_id, t.payee_id, t.vendor_id,
                   CASE WHEN t.contract_id IS NULL THEN FALSE ELSE TRUE END,
                   SUM(t.amount), COUNT(*)
            FROM spend_transaction t
            LEFT JOIN categories_category c ON c.id = t.category_id
            WHERE t.authority_id = %s AND t.month IN ({marks})
            GROUP BY t.authority_id, t.month, c.pillar_id, t.category_id, t.payee_id,
                     t.vendor_id, CASE WHEN t.contract_id IS NULL THEN FALSE ELSE TRUE END
            -- Stored in this order, a pillar's or a category's rows for a month sit together
            -- (25 months of a pillar read 7,828 pages instead of 38,042 after a rebuild; later
            -- refreshes reuse scattered free space, so the gain fades until the next rebuild).
            ORDER BY t.month, c.pillar_id, t.category_id, t.payee_id
            """,
            params,
        )
        cursor.execute(
            f"DELETE FROM spend_spendcube WHERE authority_id = %s AND month IN ({marks})",
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO spend_spendcube (authority_id, month, pillar_id, category_id,
                                         on_contract, total, tx_count)
            SELECT authority_id, month, pillar_id, category_id, on_contract, SUM(total),
                   SUM(tx_count)
            FROM spend_spendsummary
            WHERE authority_id = %s AND month IN ({marks})
            GROUP BY authority_id, month, pillar_id, category_id, on_contract
            """,
            params,
        )
        _refresh_periods(cursor, authority_id, months)
        # A pillar's all-time suppliers, for the payees paid in these months (all their years:
        # a re-mapped code may have moved their spend between pillars).
        payees = (
            "SELECT DISTINCT payee_id FROM spend_spendsummary "
            f"WHERE authority_id = %s AND month IN ({marks})"
        )
        rebuild_pillar_suppliers(cursor, payees, params, authority_id=authority_id)
        cursor.execute(
            f"DELETE FROM spend_contractspend WHERE authority_id = %s AND month IN ({marks})",
            params,
        )
        cursor.execute(
            f"""
            INSERT INTO spend_contractspend (contract_id, authority_id, month, total, tx_count)
            SELECT t.contract_id, t.authority_id, t.month, SUM(t.amount), COUNT(*)
            FROM spend_transaction t
            WHERE t.authority_id = %s AND t.month IN ({marks}) AND t.contract_id IS NOT NULL
            GROUP BY t.contract_id, t.authority_id, t.month
            """,
            params,
        )


def rebuild_pillar_suppliers(cursor, payees: str, params: list, *, authority_id=None) -> None:
    """PillarSupplier's rows of the payees the `payees` subquery selects, from SupplierPeriod's
    years. With authority_id, only that authority's (the subquery's payees are its own)."""
    mine = "authority_id = %s AND " if authority_id else ""
    own = [authority_id] if authority_id else []
    cursor.execute(
        f"DELETE FROM spend_pillarsupplier WHERE {mine}payee_id IN ({payees})", [*own, *params]
    )
    cursor.execute(
        f"""
        INSERT INTO spend_pillarsupplier (authority_id, pillar_id, payee_id, vendor_id, total,
                                          on_contract_total, tx_count)
        SELECT authority_id, pillar_id, payee_id, vendor_id, SUM(total),
               SUM(CASE WHEN on_contract THEN total ELSE 0 END), SUM(tx_count)
        FROM spend_supplierperiod
        WHERE grain = 'y' AND {mine}payee_id IN ({payees})
        GROUP BY authority_id, pillar_id, payee_id, vendor_id
        """,
        [*own, *params],
    )


@transaction.atomic
def repoint_category(*, category_id: int) -> None:
    """After a category moved to another pillar: its summary rows take the category's pillar,
    and the pillar totals of the payees paid under it are rebuilt. (Every other summary row
    keys on the category, which did not change.) Safe to run twice."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pillar_id FROM categories_category WHERE id = %s", [category_id])
        row = cursor.fetchone()
        if row is None:
            return
        for table in ("spend_spendsummary", "spend_spendcube", "spend_supplierperiod"):
            cursor.execute(
                f"UPDATE {table} SET pillar_id = %s WHERE category_id = %s AND pillar_id <> %s",
                [row[0], category_id, row[0]],
            )
        payees = (
            "SELECT DISTINCT payee_id FROM spend_supplierperiod "
            "WHERE category_id = %s AND grain = 'y'"
        )
        rebuild_pillar_suppliers(cursor, payees, [category_id])


def _starts(months: list[datetime.date], length: int) -> list[datetime.date]:
    return sorted({m.replace(month=m.month - (m.month - 1) % length) for m in months})


def _refresh_periods(cursor, authority_id: int, months: list[datetime.date]) -> None:
    """SupplierPeriod's quarters of these months from SpendSummary, then their years from the
    quarters (at 10M payments: 1.7M quarter rows against 3.1M month rows)."""
    if connection.vendor == "postgresql":
        start_of = {"q": "CAST(date_trunc('quarter', month) AS date)",
                    "y": "CAST(date_trunc('year', month) AS date)"}  # fmt: skip
    else:
        start_of = {
            "q": "date(month, '-' || ((CAST(strftime('%%m', month) AS integer) - 1) %% 3) "
            "|| ' months')",
            "y": "date(month, 'start of year')",
        }
    for grain, length, source, only in (
        ("q", 3, "spend_spendsummary", ""),
        ("y", 12, "spend_supplierperiod", "grain = 'q' AND "),
    ):
        starts = _starts(months, length)
        marks = ", ".join(["%s"] * len(starts))
        cursor.execute(
            "DELETE FROM spend_supplierperiod "
            f"WHERE authority_id = %s AND grain = %s AND month IN ({marks})",
            [authority_id, grain, *starts],
        )
        cursor.execute(
            f"""
            INSERT INTO spend_supplierperiod (authority_id, grain, month, pillar_id, category_id,
                                              payee_id, vendor_id, on_contract, total, tx_count)
            SELECT authority_id, %s, {start_of[grain]}, pillar_id, category_id, payee_id,
                   vendor_id, on_contract, SUM(total), SUM(tx_count)
            FROM {source}
            WHERE {only}authority_id = %s AND month >= %s AND month < %s
              AND {start_of[grain]} IN ({marks})
            GROUP BY authority_id, {start_of[grain]}, pillar_id, category_id, payee_id,
                     vendor_id, on_contract
            ORDER BY {start_of[grain]}, pillar_id, category_id, payee_id
            """,
            [grain, authority_id, starts[0], _after(starts[-1], length), *starts],
        )


def _after(start: datetime.date, length: int) -> datetime.date:
    index = start.year * 12 + start.month - 1 + length
    return datetime.date(index // 12, index % 12 + 1, 1)


def refresh_slices(slices: Iterable[tuple[int, object]]) -> None:
    """Refresh (authority id, month) pairs, grouped by authority."""
    by_authority = defaultdict(set)
    for authority_id, month in slices:
        if isinstance(month, str):
            month = datetime.date.fromisoformat(month[:10])
        by_authority[authority_id].add(month)
    for authority_id, months in by_authority.items():
        refresh(authority_id=authority_id, months=months)
