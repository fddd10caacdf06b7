"""Withdrawing an import: its payments leave the hub as if its file had never been imported.

A file imported by mistake (under the wrong authority, with a column mapped wrongly, or a draft
the council later replaced) must be able to come out again, or the one trusted repository of
spend keeps it for ever. A hub administrator or head of category asks, giving a reason; a task
does the work in one transaction, under the authority's import lock:

1. A payment that a later import skipped as already present in this one stays: that import's
   file holds it too, so the earliest such import inherits it, and its counts and its list of
   rows not imported are corrected. Nothing another file brought is lost.
2. The other payments leave their payees' and codes' totals, then the payments table.
3. The summaries of the import's months are rebuilt, and the pillar totals of its payees.
4. Payees and expense codes that no payment names any more are deleted, unless a person
   decided about them (a payee confirmed or set aside, a code mapped): the queues do not list
   them at £0, and a match the withdrawn file made by itself (by a wrong supplier id, say)
   does not outlive it.

The import stays, marked withdrawn, with who withdrew it, when and why. Its file may then be
imported again. Safe to run twice: only an import being withdrawn is worked on, and the work
ends by marking it withdrawn.
"""

import datetime

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from procurement_hub.formatting import day
from spend import matching, summaries
from spend.models import (
    ImportReject,
    ImportStatus,
    MatchMethod,
    Payee,
    SkipKind,
    SpendImport,
)

CAN_WITHDRAW = (ImportStatus.DONE, ImportStatus.WITHDRAWING)
# The rows of the temporary tables below are this session's own.
PAYEES_TABLE = "spend_withdrawn_payees"
HEIRS_TABLE = "spend_withdrawn_heirs"


def request(*, spend_import: SpendImport, by, reason: str) -> None:
    """Mark the import as being withdrawn and queue the work (on the embedded default it runs
    at once). Asking again while it is being withdrawn queues the work again (a lost task).
    Raises ValueError when the import holds no payments to withdraw."""
    from spend.tasks import withdraw_spend_import

    marked = SpendImport.objects.filter(pk=spend_import.pk, status__in=CAN_WITHDRAW).update(
        status=ImportStatus.WITHDRAWING, withdrawn_by=by, withdraw_reason=reason.strip()[:500]
    )
    if not marked:
        raise ValueError(
            f"Only an imported file can be withdrawn; this one is "
            f"“{spend_import.get_status_display()}”."
        )
    import_id = spend_import.pk
    transaction.on_commit(lambda: withdraw_spend_import.delay(import_id=import_id))


@transaction.atomic
def withdraw(*, import_id: int) -> SpendImport | None:
    """Do the withdrawal of an import marked as being withdrawn. None when there is nothing to
    do (already withdrawn, or never asked)."""
    found = SpendImport.objects.filter(pk=import_id).values_list("authority_id", flat=True)
    if not found:
        return None
    matching.lock_authority(found[0])  # No import or re-match of the authority meanwhile.
    spend_import = SpendImport.objects.select_for_update().get(pk=import_id)
    if spend_import.status != ImportStatus.WITHDRAWING:
        return None
    auth = spend_import.authority_id
    months = _months(spend_import)
    params = [auth, *months, import_id]
    with connection.cursor() as cursor:
        inherited = _hand_over_to_later_imports(cursor, spend_import, months, params)
        removed = _remove_payments(cursor, _rows_sql(months), params)
    _take_back_supplier_ids(spend_import)
    summaries.refresh(authority_id=auth, months=months)
    with connection.cursor() as cursor:
        summaries.rebuild_pillar_suppliers(
            cursor, f"SELECT payee_id FROM {PAYEES_TABLE}", [], authority_id=auth
        )
        _delete_unused_payees_and_codes(cursor, auth)
        cursor.execute(f"DROP TABLE {PAYEES_TABLE}")
    spend_import.status = ImportStatus.WITHDRAWN
    spend_import.withdrawn_at = timezone.now()
    spend_import.message = _message(spend_import, removed, inherited)
    spend_import.save(update_fields=["status", "withdrawn_at", "message"])
    return spend_import


def kept_for_later_imports(spend_import: SpendImport) -> list[tuple[int, int]]:
    """(import id, payments) of the later imports that skipped rows as already present in this
    one: those payments stay when it is withdrawn, with the values this file gave them (their
    own files' rows were not kept). For the withdraw form's warning."""
    return list(
        ImportReject.objects.filter(
            spend_import__authority_id=spend_import.authority_id,
            spend_import__status=ImportStatus.DONE,
            kind=SkipKind.PRESENT,
            value__startswith=f"as import #{spend_import.pk}, row ",
        )
        .values_list("spend_import_id")
        .annotate(n=Count("pk"))
        .order_by("spend_import_id")
    )


def _message(spend_import: SpendImport, removed: int, inherited: int) -> str:
    by = spend_import.withdrawn_by
    parts = [
        "Withdrawn",
        f" by {by.get_full_name() or by.get_username()}" if by else "",
        f" on {day(timezone.localdate(spend_import.withdrawn_at))}: ",
        f"{removed:,} payment{'' if removed == 1 else 's'} removed",
    ]
    if inherited:
        parts.append(f", {inherited:,} kept for later imports whose files hold them too")
    reason = spend_import.withdraw_reason
    parts.append(f". Reason: {reason}" if reason else ".")
    return "".join(parts)


def _months(spend_import: SpendImport) -> list[datetime.date]:
    if spend_import.months:
        return [datetime.date.fromisoformat(m) for m in spend_import.months]
    with connection.cursor() as cursor:  # Imported before the months were recorded.
        cursor.execute(
            "SELECT DISTINCT month FROM spend_transaction "
            "WHERE authority_id = %s AND spend_import_id = %s",
            [spend_import.authority_id, spend_import.pk],
        )
        return sorted(
            m if isinstance(m, datetime.date) else datetime.date.fromisoformat(m)
            for (m,) in cursor.fetchall()
        )


def _rows_sql(months: list, table: str = "") -> str:
    """The import's payments, found through the (authority, month) index: params are the
    authority, the months, then the import. `table` qualifies the columns."""
    marks = ", ".join(["%s"] * len(months)) or "NULL"
    t = f"{table}." if table else ""
    return f"{t}authority_id = %s AND {t}month IN ({marks}) AND {t}spend_import_id = %s"


def _hand_over_to_later_imports(cursor, spend_import, months: list, params: list) -> int:
    """Payments a later, still imported, import skipped as already present in this one go to
    the earliest of them, under its own row number. Returns how many."""
    prefix = f"as import #{spend_import.pk}, row "
    cursor.execute(f"DROP TABLE IF EXISTS {HEIRS_TABLE}")
    cursor.execute(
        f"CREATE TEMP TABLE {HEIRS_TABLE} (reject_id bigint, heir_id bigint, heir_row integer, "
        "old_row integer)"
    )
    cursor.execute(
        """
        SELECT r.id, r.spend_import_id, r.row_number, r.value
        FROM spend_importreject r
        JOIN spend_spendimport i ON i.id = r.spend_import_id
        WHERE r.kind = %s AND r.value LIKE %s AND i.authority_id = %s AND i.status = %s
        ORDER BY r.spend_import_id, r.row_number
        """,
        [SkipKind.PRESENT, prefix + "%", spend_import.authority_id, ImportStatus.DONE],
    )
    heirs, later = {}, []
    for reject_id, heir_id, heir_row, value in cursor.fetchall():
        old_row = value[len(prefix) :]
        if not old_row.isdecimal():
            continue
        row = int(old_row)
        if row in heirs:  # The earliest import inherits it; the later ones say so.
            _, first_id, first_row, _ = heirs[row]
            later.append([f"as import #{first_id}, row {first_row}", reject_id])
        else:
            heirs[row] = (reject_id, heir_id, heir_row, row)
    if not heirs:
        cursor.execute(f"DROP TABLE {HEIRS_TABLE}")
        return 0
    cursor.executemany(f"INSERT INTO {HEIRS_TABLE} VALUES (%s, %s, %s, %s)", list(heirs.values()))
    cursor.execute(
        f"""
        UPDATE spend_transaction SET spend_import_id = h.heir_id, row_number = h.heir_row
        FROM {HEIRS_TABLE} h
        WHERE {_rows_sql(months, "spend_transaction")} AND spend_transaction.row_number = h.old_row
        """,
        params,
    )
    # The heirs' "already present" rows are now imported rows of theirs.
    cursor.execute(
        f"DELETE FROM spend_importreject WHERE id IN (SELECT reject_id FROM {HEIRS_TABLE})"
    )
    cursor.execute(f"SELECT heir_id, COUNT(*) FROM {HEIRS_TABLE} GROUP BY heir_id")
    for heir_id, n in cursor.fetchall():
        cursor.execute(
            "UPDATE spend_spendimport SET imported_rows = imported_rows + %s, "
            "duplicate_rows = duplicate_rows - %s WHERE id = %s",
            [n, n, heir_id],
        )
    if later:
        cursor.executemany("UPDATE spend_importreject SET value = %s WHERE id = %s", later)
    cursor.execute(f"DROP TABLE {HEIRS_TABLE}")
    return len(heirs)


def _take_back_supplier_ids(spend_import: SpendImport) -> None:
    """Supplier ids this import's file gave payees are taken back, and the matches by
    registration id they made undone: the payees' other payments follow (rematch_payees)."""
    payees = Payee.objects.filter(
        authority_id=spend_import.authority_id, supplier_id_import=spend_import.pk
    )
    unmatched = list(
        payees.filter(match_method=MatchMethod.REGISTRATION).values_list("pk", flat=True)
    )
    payees.filter(pk__in=unmatched).update(vendor=None, match_method=MatchMethod.NONE)
    payees.update(supplier_id="", supplier_id_import=None)
    matching.rematch_payees(payee_ids=unmatched)


def _remove_payments(cursor, rows: str, params: list) -> int:
    """Take the import's payments out of their payees' and codes' totals, note the payees for
    the pillar totals, then delete the payments. Returns how many."""
    cursor.execute(f"DROP TABLE IF EXISTS {PAYEES_TABLE}")
    cursor.execute(
        f"CREATE TEMP TABLE {PAYEES_TABLE} AS "
        f"SELECT DISTINCT payee_id FROM spend_transaction WHERE {rows}",
        params,
    )
    matching.subtract_totals(where=rows, params=params)
    cursor.execute(f"DELETE FROM spend_transaction WHERE {rows}", params)
    return max(cursor.rowcount, 0)


def _delete_unused_payees_and_codes(cursor, authority_id: int) -> None:
    cursor.execute(
        f"""
        DELETE FROM spend_payee
        WHERE authority_id = %s AND id IN (SELECT payee_id FROM {PAYEES_TABLE})
          AND transaction_count = 0 AND match_method NOT IN (%s, %s)
        """,
        [authority_id, MatchMethod.CONFIRMED, MatchMethod.DISMISSED],
    )
    cursor.execute(
        "DELETE FROM spend_expensecode WHERE authority_id = %s AND transaction_count = 0 "
        "AND category_id IS NULL",
        [authority_id],
    )
