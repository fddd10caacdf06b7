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
        years = sorted({m.year for m in months})
        first, last = datetime.date(years[0], 1, 1), datetime.date(years[-1], 12, 1)
        year_marks = ", ".join(["%s"] * len(years))
        cursor.execute(
            f"DELETE FROM spend_supplieryear WHERE authority_id = %s AND year IN ({year_marks})",
            [authority_id, *years],
        )
        year_of = (
            "CAST(EXTRACT(YEAR FROM month) AS integer)"
            if connection.vendor == "postgresql"
            else "CAST(strftime('%%Y', month) AS integer)"
        )
        cursor.execute(
            f"""
            INSERT INTO spend_supplieryear (authority_id, year, pillar_id, category_id, payee_id,
                                            vendor_id, on_contract, total, tx_count)
            SELECT authority_id, {year_of}, pillar_id, category_id, payee_id, vendor_id,
                   on_contract, SUM(total), SUM(tx_count)
            FROM spend_spendsummary
            WHERE authority_id = %s AND month >= %s AND month <= %s
              AND {year_of} IN ({year_marks})
            GROUP BY authority_id, {year_of}, pillar_id, category_id, payee_id, vendor_id,
                     on_contract
            ORDER BY {year_of}, pillar_id, category_id, payee_id
            """,
            [authority_id, first, last, *years],
        )
        # A pillar's all-time suppliers, for the payees paid in these months (all their years:
        # a re-mapped code may have moved their spend between pillars).
        payees = (
            "SELECT DISTINCT payee_id FROM spend_spendsummary "
            f"WHERE authority_id = %s AND month IN ({marks})"
        )
        cursor.execute(
            f"DELETE FROM spend_pillarsupplier WHERE authority_id = %s AND payee_id IN ({payees})",
            [authority_id, *params],
        )
        cursor.execute(
            f"""
            INSERT INTO spend_pillarsupplier (authority_id, pillar_id, payee_id, vendor_id, total,
                                              on_contract_total, tx_count)
            SELECT authority_id, pillar_id, payee_id, vendor_id, SUM(total),
                   SUM(CASE WHEN on_contract THEN total ELSE 0 END), SUM(tx_count)
            FROM spend_supplieryear
            WHERE authority_id = %s AND payee_id IN ({payees})
            GROUP BY authority_id, pillar_id, payee_id, vendor_id
            """,
            [authority_id, *params],
        )
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


def refresh_slices(slices: Iterable[tuple[int, object]]) -> None:
    """Refresh (authority id, month) pairs, grouped by authority."""
    by_authority = defaultdict(set)
    for authority_id, month in slices:
        if isinstance(month, str):
            month = datetime.date.fromisoformat(month[:10])
        by_authority[authority_id].add(month)
    for authority_id, months in by_authority.items():
        refresh(authority_id=authority_id, months=months)
