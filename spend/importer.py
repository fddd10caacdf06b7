"""The import engine: stage a file's rows, then check and move them with set-based SQL in one
transaction.

Phase 1: a CSV file on PostgreSQL is COPYed whole and converted in SQL into a temporary table of
the session (spend.copy_stage); any other file is read, parsed and staged row by row into
spend_stagingrow, committed in chunks so progress is visible. Either way rejects are collected.
Phase 2 (one transaction): drop in-file duplicates, add payees and expense codes, match payees
to vendors, insert transactions (skipping those already present by natural key) with their
contract, add to totals, refresh summaries, record rejects. An interruption in phase 2 leaves no
row; an interruption in phase 1 leaves only staged rows, which the next run clears.
"""

import datetime
import logging
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from categories.models import Authority
from spend import matching, progress, summaries, values
from spend.copy_stage import STAGED_TABLE, copy_stage
from spend.mapping import FIELDS, mapping_positions, missing_required
from spend.models import (
    HOLDS_PAYMENTS,
    IMPORT_WORK_MEM,
    STAGING_COLUMNS,
    STAGING_TABLE,
    ImportMode,
    ImportReject,
    ImportStatus,
    SkipKind,
    SpendImport,
    StagingRow,
    staging_table,
)
from spend.reader import SpendTable, UnreadableFile, undecodable
from spend.values import (
    MAX_REFERENCE,
    MAX_SUPPLIER,
    PLAIN_AMOUNT,
    TOO_LONG,
    UNDATED,
    BadValue,
    DateParser,
    is_undated,
    normalize_name,
    parse_amount,
)

logger = logging.getLogger(__name__)
ANALYZE_AFTER_ROWS = 50_000
# A payment dated further ahead than this (a quarter) is a fault, not a payment: a two-digit
# year read into the future ("01/04/68" is 2068), or a typo for this year.
FUTURE_GRACE = datetime.timedelta(days=92)
# Rejected rows whose cells are kept for the "rows to fix" file: enough for any real file's
# faults, bounded for a file that is all faults.
KEEP_REJECTED_CELLS = 50_000
PRESENT_REASON = "Already present: the same authority, reference, date, amount and supplier"
PRESENT_WITH_A_DATE = (
    "Already present with a date: the same authority, reference, amount and supplier (this "
    "file gave the row no date)"
)

# "1234.56", "-12" or "1,234.56": the amounts of nearly every row, parsed without the full check.
_PLAIN_AMOUNT = re.compile(PLAIN_AMOUNT).match


@dataclass
class StageResult:
    staged: int = 0
    rejects: list = field(default_factory=list)  # (row, column, value, reason)
    # Row number -> the rejected row's cells under the headers (up to KEEP_REJECTED_CELLS rows).
    reject_cells: dict = field(default_factory=dict)

    def keep_cells(self, number: int, cells: list) -> None:
        if len(self.reject_cells) < KEEP_REJECTED_CELLS:
            self.reject_cells[number] = [str(c)[:1000] for c in cells]

    total: int = 0
    table: str = STAGING_TABLE  # Where the staged rows are (copy_stage: a temporary table).


def _text(cells, pos, limit):
    return cells[pos].strip()[:limit] if pos is not None else ""


class RowParser:
    """Turns the mapped cells of one row into a staging tuple, or reject entries."""

    def __init__(self, spend_import: SpendImport, headers: list[str]):
        positions = mapping_positions(spend_import.mapping, headers)
        self.positions = positions
        self.headers = {f: spend_import.mapping[f] for f in positions}
        self.import_id = spend_import.pk
        self.parse_date = DateParser(
            spend_import.date_formats, latest=timezone.localdate() + FUTURE_GRACE
        )
        self.names: dict[str, str] = {}
        self.expense_keys: dict[str, str] = {}
        # Raw date text -> (day, first of its month, assumed: the importer's date for none).
        self.days: dict[str, tuple] = {}
        self.undated_as = spend_import.undated_as
        # The fast path serves the common file: no net/VAT columns, a code column or none.
        self.fast = not ({"net_amount", "vat_amount"} & set(positions))
        get = positions.get
        self.i_date, self.i_amount = positions["date"], positions["amount"]
        self.i_supplier, self.i_reference = positions["supplier_name"], get("reference")
        self.optional = tuple(
            get(f) for f in ("department", "expense_category", "capital_revenue", "supplier_id")
        )
        self.i_code = get("expense_code")
        self.i_body = get("authority")
        self.bodies = OtherBodies(spend_import.authority_id) if self.i_body is not None else None

    def __call__(self, number: int, cells: list[str]) -> tuple[tuple | None, list]:
        """Rows that are plainly fine take a short path; anything else is checked in full."""
        if not self.fast:
            return self.check(number, cells)
        days = self.days.get(cells[self.i_date])
        raw_amount = cells[self.i_amount]
        supplier_name = cells[self.i_supplier].strip()
        i_ref = self.i_reference
        reference = cells[i_ref].strip() if i_ref is not None else ""
        if (days is None or not supplier_name or not _PLAIN_AMOUNT(raw_amount)
                or (i_ref is not None and not reference)
                or len(supplier_name) > MAX_SUPPLIER or len(reference) > MAX_REFERENCE
                or (self.bodies and self.bodies.other(cells[self.i_body]))):  # fmt: skip
            return self.check(number, cells)
        payee_key = self.names.get(supplier_name)
        if payee_key is None:
            payee_key = values.payee_key(supplier_name)
            self.names[supplier_name] = payee_key
        i_dept, i_cat, i_caprev, i_sid = self.optional
        code = cells[self.i_code].strip()[:100] if self.i_code is not None else ""
        expense_name = cells[i_cat].strip()[:200] if i_cat is not None else ""
        if code:
            expense_key = code
        else:
            expense_key = self.expense_keys.get(expense_name)
            if expense_key is None:
                expense_key = values.expense_key(expense_name)
                self.expense_keys[expense_name] = expense_key
        return (
            self.import_id, number, reference, days[0], days[1],
            Decimal(raw_amount.replace(",", "")), None, None,
            cells[i_dept].strip()[:200] if i_dept is not None else "",
            expense_key, code, expense_name,
            cells[i_caprev].strip()[:20] if i_caprev is not None else "",
            cells[i_sid].strip()[:100] if i_sid is not None else "",
            supplier_name, payee_key, days[2],
        ), ()  # fmt: skip

    def check(self, number: int, cells: list[str]) -> tuple[tuple | None, list]:
        """Every check, with a reject entry per fault."""
        p = self.positions
        errors = []

        def fail(fieldname, reason):
            value = cells[p[fieldname]] if fieldname in p else ""
            errors.append((number, self.headers.get(fieldname, FIELDS[fieldname]),
                           str(value)[:500], reason))  # fmt: skip

        dated = self.day(cells[p["date"]], fail)
        try:
            amount = parse_amount(cells[p["amount"]])
        except BadValue as exc:
            fail("amount", str(exc))
            amount = None
        extras = {}
        for name in ("net_amount", "vat_amount"):
            raw = cells[p[name]].strip() if name in p else ""
            extras[name] = None
            if raw:
                try:
                    extras[name] = parse_amount(raw)
                except BadValue as exc:
                    fail(name, str(exc).replace("Amount", FIELDS[name]))
        supplier_name = _text(cells, p.get("supplier_name"), None)
        if not supplier_name:
            fail("supplier_name", "Supplier name is missing")
        elif len(supplier_name) > MAX_SUPPLIER:
            fail("supplier_name", TOO_LONG.format(what="Supplier name", limit=MAX_SUPPLIER))
        reference = _text(cells, p.get("reference"), None)
        if "reference" in p and not reference:
            fail("reference", "Transaction reference is missing")
        elif len(reference) > MAX_REFERENCE:
            fail("reference", TOO_LONG.format(what="Transaction reference", limit=MAX_REFERENCE))
        other = self.bodies.other(cells[p["authority"]]) if self.bodies else None
        if other:
            fail("authority", f"Names another authority of this hub ({other}): import its rows "
                              "under that authority")  # fmt: skip
        if errors:
            return None, errors
        payee_key = self.names.get(supplier_name)
        if payee_key is None:
            payee_key = values.payee_key(supplier_name)
            self.names[supplier_name] = payee_key
        code = _text(cells, p.get("expense_code"), 100)
        expense_name = _text(cells, p.get("expense_category"), 200)
        if code:
            expense_key = code
        else:
            expense_key = self.expense_keys.get(expense_name)
            if expense_key is None:
                expense_key = values.expense_key(expense_name)
                self.expense_keys[expense_name] = expense_key
        day, month, assumed = dated
        row = (
            self.import_id, number, reference, day, month, amount,
            extras["net_amount"], extras["vat_amount"], _text(cells, p.get("department"), 200),
            expense_key, code, expense_name, _text(cells, p.get("capital_revenue"), 20),
            _text(cells, p.get("supplier_id"), 100), supplier_name, payee_key, assumed,
        )  # fmt: skip
        return row, []

    def day(self, raw: str, fail) -> tuple | None:
        """(day, first of its month, assumed) of a date cell, or None after `fail`. A cell with
        no date in it takes the import's `undated_as` when one was chosen."""
        try:
            day, assumed = self.parse_date(raw), False
        except BadValue as exc:
            if not is_undated(raw):
                fail("date", str(exc))
                return None
            if self.undated_as is None:
                fail("date", UNDATED if str(raw).strip() else str(exc))
                return None
            day, assumed = self.undated_as, True
        self.days[raw] = (day, day.replace(day=1), assumed)
        return self.days[raw]


class OtherBodies:
    """The file's authority/body column against the hub's other authorities: a row naming one
    of them (by name or code, normalised) is not this authority's payment, so it is rejected,
    never booked here. Any other value (the publisher's own name, "OCC") is this authority's."""

    def __init__(self, authority_id: int):
        self.names: dict[str, str] = {}
        own = Authority.objects.filter(pk=authority_id).values_list("name", "code").first() or ()
        own_keys = {normalize_name(v) for v in own if v}
        for name, code in Authority.objects.exclude(pk=authority_id).values_list("name", "code"):
            for value in (name, code):
                key = normalize_name(value) if value else ""
                if key and key not in own_keys:
                    self.names.setdefault(key, name)
        self.seen: dict[str, str | None] = {}

    def __bool__(self) -> bool:
        return bool(self.names)

    def other(self, raw: str) -> str | None:
        """The other authority's name this body value names, or None."""
        if raw not in self.seen:
            self.seen[raw] = self.names.get(normalize_name(raw)) if raw.strip() else None
        return self.seen[raw]


def _staging_writer(spend_import: SpendImport):
    """A function that writes a chunk of staging tuples, committed, by COPY or bulk_create."""
    if connection.vendor == "postgresql":
        copy_sql = f"COPY spend_stagingrow ({', '.join(STAGING_COLUMNS)}) FROM STDIN"

        def write(rows):
            with connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)

        return write

    def write_orm(rows):
        StagingRow.objects.bulk_create(
            [StagingRow(**dict(zip(STAGING_COLUMNS, row, strict=True))) for row in rows],
            batch_size=1000,
        )

    return write_orm


def stage(spend_import: SpendImport, table: SpendTable) -> StageResult:
    """Phase 1: parse every row, stage the good ones, collect the bad ones."""
    StagingRow.objects.filter(spend_import=spend_import).delete()
    parse = RowParser(spend_import, table.layout.headers)
    result = StageResult()
    if copy_stage(spend_import, table, parse, result):
        SpendImport.objects.filter(pk=spend_import.pk).update(
            processed_rows=result.total, total_rows=result.total
        )
        return result
    # A cheap estimate first, so the bar moves while rows are read; the exact count follows.
    SpendImport.objects.filter(pk=spend_import.pk).update(total_rows=table.estimated_rows())
    write = _staging_writer(spend_import)
    chunk: list[tuple] = []
    chunk_rows = settings.SPEND_IMPORT_CHUNK_ROWS
    header_cells = table.layout.width

    def spilled(number: int, cells: int, value: str, row: list) -> None:
        result.total += 1
        result.keep_cells(number, [_no_nul(c) for c in row])
        result.rejects.append((
            number, "(after the last column)", _no_nul(value)[:500],
            f"The row has {cells} cells, the others {header_cells}: a comma inside an unquoted "
            "value shifts the ones after it",
        ))  # fmt: skip

    for number, cells in table.rows(on_spill=spilled):
        result.total += 1
        if binary := _nul_cell(number, cells, table.layout.headers):
            result.rejects.append(binary)
            result.keep_cells(number, [_no_nul(c) for c in cells])
            continue
        row, errors = parse(number, cells)
        if errors:
            result.rejects.extend(errors)
            result.keep_cells(number, cells)
        else:
            chunk.append(row)
        if len(chunk) >= chunk_rows:
            write(chunk)
            result.staged += len(chunk)
            chunk = []
            SpendImport.objects.filter(pk=spend_import.pk).update(processed_rows=result.total)
    if chunk:
        write(chunk)
        result.staged += len(chunk)
    SpendImport.objects.filter(pk=spend_import.pk).update(
        processed_rows=result.total, total_rows=result.total
    )
    _analyze_staging()
    return result


def _no_nul(text: str) -> str:
    """The text with each NUL byte shown as U+FFFD, which both databases store."""
    return text.replace("\x00", "\ufffd")


def _nul_cell(number: int, cells: list[str], headers: list[str]) -> tuple | None:
    """A reject for a row holding a NUL byte (binary data in a text file), which neither
    database stores in text: PostgreSQL refuses it, SQLite would keep it invisibly."""
    for i, cell in enumerate(cells):
        if "\x00" in cell:
            column = headers[i] if i < len(headers) else ""
            reason = "The cell holds a NUL byte (binary data, not text): correct it in the file"
            return (number, column, _no_nul(cell)[:500], reason)
    return None


def _analyze_staging() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # Fresh statistics: the move's plans depend on them.
            cursor.execute("ANALYZE spend_stagingrow")


def _clear_staging(spend_import: SpendImport, table: str = STAGING_TABLE) -> None:
    StagingRow.objects.filter(spend_import=spend_import).delete()
    if staging_table(table) != STAGING_TABLE:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _rejected_rows(rejects: list) -> int:
    return len({r[0] for r in rejects})


def _save_rejects(spend_import: SpendImport, rejects: list, cells: dict | None = None) -> None:
    cells = dict(cells or {})
    ImportReject.objects.bulk_create(
        (
            ImportReject(
                spend_import=spend_import, row_number=r, column=c[:200], value=v, reason=why,
                cells=cells.pop(r, []),  # Once per row: on its first entry.
            )
            for r, c, v, why in rejects
        ),
        batch_size=5000,
    )  # fmt: skip


def _finish(spend_import: SpendImport, status: str, message: str = "", **counts) -> None:
    spend_import.status = status
    spend_import.message = message
    spend_import.finished_at = timezone.now()
    for name, value in counts.items():
        setattr(spend_import, name, value)
    spend_import.save(update_fields=["status", "message", "finished_at", *counts.keys()])
    # Once others can see the status (at once outside a transaction, else at its commit).
    transaction.on_commit(lambda: progress.forget(spend_import.pk))


def run_import(spend_import: SpendImport) -> SpendImport:
    """Run a confirmed import to its end. Returns the import with its counts and status."""
    missing = missing_required(spend_import.mapping)
    if missing:
        _finish(spend_import, ImportStatus.FAILED, f"Not mapped: {', '.join(missing)}.")
        return spend_import
    started = time.monotonic()
    try:
        with spend_import.upload.open("rb") as fileobj:
            table = SpendTable(fileobj, spend_import.file_name)
            staged = stage(spend_import, table)
        logger.info("spend import %s staged in %.1f s", spend_import.pk, time.monotonic() - started)
    except (UnreadableFile, UnicodeDecodeError, OSError) as exc:
        if isinstance(exc, UnicodeDecodeError):
            exc = undecodable(exc)
        _clear_staging(spend_import, STAGED_TABLE)
        _finish(spend_import, ImportStatus.FAILED, f"Could not read the file: {exc}")
        return spend_import
    except Exception:
        logger.exception("spend import %s failed while staging", spend_import.pk)
        _clear_staging(spend_import, STAGED_TABLE)
        _finish(spend_import, ImportStatus.FAILED, "The import failed; nothing was imported.")
        raise
    rejected = _rejected_rows(staged.rejects)
    if staged.total == 0:
        _clear_staging(spend_import, staged.table)
        _finish(spend_import, ImportStatus.FAILED,
                "The file has no rows below its header: nothing to import.")  # fmt: skip
        return spend_import
    if staged.rejects and spend_import.mode == ImportMode.ALL_OR_NOTHING:
        with transaction.atomic():
            _clear_staging(spend_import, staged.table)
            _save_rejects(spend_import, staged.rejects, staged.reject_cells)
            _finish(
                spend_import,
                ImportStatus.REJECTED,
                f"{rejected} rows were rejected, so nothing was imported (all-or-nothing).",
                total_rows=staged.total,
                rejected_rows=rejected,
            )
        return spend_import
    try:
        with transaction.atomic():
            moved = move(spend_import, staged.table, staged.staged)
            if moved is None:  # The same file finished in another process meanwhile.
                _clear_staging(spend_import, staged.table)
                _finish(
                    spend_import,
                    ImportStatus.DUPLICATE,
                    "This file was imported already; nothing was added.",
                    total_rows=staged.total,
                )
                return spend_import
            _save_rejects(spend_import, staged.rejects, staged.reject_cells)
            dated = moved["dated"]
            message = (
                f"{dated:,} payment{'s' if dated != 1 else ''} that an earlier file gave no "
                "date took this file's dates (listed as already present)."
            )
            _finish(
                spend_import,
                ImportStatus.DONE,
                message if dated else "",
                months=[m.isoformat() for m in moved["months"]],
                total_rows=staged.total,
                imported_rows=moved["inserted"],
                undated_rows=moved["undated"],
                duplicate_rows=staged.staged - moved["inserted"],
                rejected_rows=rejected,
            )
    except Exception:
        logger.exception("spend import %s failed", spend_import.pk)
        _clear_staging(spend_import, staged.table)
        _finish(spend_import, ImportStatus.FAILED, "The import failed; nothing was imported.")
        raise
    return spend_import


class _Steps:
    """Logs how long each step of a move took (one INFO line per import)."""

    def __init__(self, import_id: int):
        self.import_id, self.started, self.steps = import_id, time.monotonic(), []

    def __call__(self, name: str) -> None:
        now = time.monotonic()
        self.steps.append(f"{name} {now - self.started:.1f} s")
        self.started = now

    def log(self) -> None:
        logger.info("spend import %s moved: %s", self.import_id, ", ".join(self.steps))


def _lock_authority(authority_id: int) -> None:
    """One import moves rows for an authority at a time (summary slices are replaced). The
    commit need not wait for the WAL flush: a crash right after it loses the whole import or
    none of it, never part (the import is then re-run from its stored file)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            # Sorts and hash aggregates over a million staged rows stay in memory.
            cursor.execute(f"SET LOCAL work_mem = '{IMPORT_WORK_MEM}'")
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [matching.IMPORT_LOCK, authority_id]
            )


def move(spend_import: SpendImport, staging: str = STAGING_TABLE,
         staged_rows: int | None = None) -> dict | None:  # fmt: skip
    """Phase 2, inside the caller's transaction: set-based SQL from the staging table (named by
    the stage phase, never by input) to transactions. None when the same file was imported
    while this one was being staged."""
    imp, auth = spend_import.pk, spend_import.authority_id
    staging = staging_table(staging)
    if staged_rows is None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {staging} WHERE spend_import_id = %s", [imp])
            staged_rows = cursor.fetchone()[0]
    step = _Steps(imp)
    _lock_authority(auth)  # Waits while another import moves rows for this authority.
    progress.announce(imp, "payees")
    same_file = SpendImport.objects.filter(
        authority_id=auth, content_hash=spend_import.content_hash, status__in=HOLDS_PAYMENTS
    ).exclude(pk=imp)
    if same_file.exists():
        return None
    with connection.cursor() as cursor:
        # Payees and expense codes named by the file.
        cursor.execute(
            f"""
            INSERT INTO spend_payee (authority_id, name, normalized_name, supplier_id,
                                     supplier_id_import, match_method, total_spend,
                                     on_contract_spend, transaction_count)
            SELECT %s, MIN(supplier_name), payee_key, COALESCE(MIN(NULLIF(supplier_id, '')), ''),
                   CASE WHEN MAX(supplier_id) <> '' THEN %s END, '', 0, 0, 0
            FROM {staging} WHERE spend_import_id = %s GROUP BY payee_key
            -- A payee first seen with no supplier id learns it from a later file (for the
            -- registration-id match).
            ON CONFLICT (authority_id, normalized_name) DO UPDATE
                SET supplier_id = EXCLUDED.supplier_id,
                    supplier_id_import = EXCLUDED.supplier_id_import
                WHERE spend_payee.supplier_id = '' AND EXCLUDED.supplier_id <> ''
            """,
            [auth, imp, imp],
        )
        cursor.execute(
            f"""
            INSERT INTO spend_expensecode (authority_id, key, code, name, total_spend,
                                           transaction_count)
            SELECT %s, expense_key, MAX(expense_code), MAX(expense_name), 0, 0
            FROM {staging} WHERE spend_import_id = %s AND expense_key <> ''
            GROUP BY expense_key
            ON CONFLICT (authority_id, key) DO NOTHING
            """,
            [auth, imp],
        )
        # A code first seen without its name (a file with no category column) gets it later.
        cursor.execute(
            f"""
            UPDATE spend_expensecode SET name = (
                SELECT MAX(s.expense_name) FROM {staging} s
                WHERE s.spend_import_id = %s AND s.expense_key = spend_expensecode.key)
            WHERE authority_id = %s AND name = '' AND key IN (
                SELECT expense_key FROM {staging}
                WHERE spend_import_id = %s AND expense_name <> '')
            """,
            [imp, auth, imp],
        )
    step("payees and codes")
    # Payees with earlier payments, matched now (set aside before, a name no longer shared,
    # an id learnt from this file): their earlier payments follow, after the totals below.
    with_history = matching.match_new_payees(authority_id=auth, import_id=imp, staging=staging)
    step("payee matching")
    progress.announce(imp, "payments")
    matches = matching.contract_matches_sql(
        f"""SELECT s.id AS row_id, p.vendor_id, p.authority_id, e.category_id, s.payment_date
           FROM {staging} s
           JOIN spend_payee p ON p.authority_id = %s AND p.normalized_name = s.payee_key
           LEFT JOIN spend_expensecode e ON e.authority_id = %s AND e.key = s.expense_key
           WHERE s.spend_import_id = %s AND p.vendor_id IS NOT NULL"""
    )
    # Payments an earlier file gave no date to, that this file dates: they take its dates
    # (and it skips them as present), never counted twice.
    dated = _date_assumed_payments(staging, spend_import)
    # Rows this file gave no date to, that an earlier file holds with a date: skipped.
    undated_here = spend_import.undated_as is not None
    skip_undated = (
        """AND NOT (s.date_assumed AND EXISTS (
               SELECT 1 FROM spend_transaction t WHERE t.payee_id = p.id
               AND t.reference = s.reference AND t.amount = s.amount))"""
        if undated_here
        else ""
    )
    with connection.cursor() as cursor:
        # Every row this import inserts gets an id above this one (ids only grow).
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM spend_transaction")
        after_id = cursor.fetchone()[0]
        cursor.execute(
            f"""
            INSERT INTO spend_transaction (
                authority_id, spend_import_id, row_number, reference, payment_date,
                date_assumed, month, amount, net_amount, vat_amount, department,
                capital_revenue, supplier_name, payee_id, expense_code_id, vendor_id,
                category_id, contract_id, contract_candidates)
            SELECT %s, s.spend_import_id, s.row_number, s.reference, s.payment_date,
                   s.date_assumed, s.month, s.amount, s.net_amount, s.vat_amount, s.department,
                   s.capital_revenue, s.supplier_name, p.id, e.id, p.vendor_id, e.category_id,
                   m.contract_id, COALESCE(m.n, 0)
            FROM {staging} s
            JOIN spend_payee p ON p.authority_id = %s AND p.normalized_name = s.payee_key
            LEFT JOIN spend_expensecode e ON e.authority_id = %s AND e.key = s.expense_key
            LEFT JOIN ({matches}) m ON m.row_id = s.id
            WHERE s.spend_import_id = %s {skip_undated}
            -- In natural-key order: the key's index, checked for every row, is then written
            -- in sequence (the bench's million rows, replayed into a copy of the table:
            -- 16.5 s instead of 22-26 s). The first of two equal rows in a file is still kept.
            ORDER BY p.id, s.reference, s.payment_date, s.amount, s.row_number
            ON CONFLICT (payee_id, reference, payment_date, amount) DO NOTHING
            """,
            [auth, auth, auth, auth, auth, imp, imp],
        )
        inserted = cursor.rowcount
        undated = 0
        if spend_import.undated_as is not None:
            cursor.execute(
                "SELECT COUNT(*) FROM spend_transaction "
                "WHERE id > %s AND spend_import_id = %s AND date_assumed",
                [after_id, imp],
            )
            undated = cursor.fetchone()[0]
        if inserted < staged_rows:
            _list_present_rows(cursor, staging, spend_import)
            if undated_here:
                _list_present_with_a_date(cursor, staging, spend_import, after_id)
        if connection.vendor == "postgresql" and inserted >= ANALYZE_AFTER_ROWS:
            # Fresh statistics for the summary refresh below (a sort of a million rows by six
            # keys instead of a hash aggregate took twice as long). Its lock lasts until commit,
            # so another big import's ANALYZE (and autovacuum) waits for this one: the price of
            # a summary refresh twice as fast, paid only by imports of 50,000 rows or more.
            cursor.execute("ANALYZE spend_transaction")
        step("transactions")
        cursor.execute(f"SELECT DISTINCT month FROM {staging} WHERE spend_import_id = %s", [imp])
        months = [_as_date(r[0]) for r in cursor.fetchall()]
    progress.announce(imp, "totals")
    matching.add_import_totals(import_id=imp, after_id=after_id)
    matching.rematch_payees(payee_ids=with_history)
    step("totals")
    progress.announce(imp, "summaries")
    summaries.refresh(authority_id=auth, months=months)
    step("summaries")
    _clear_staging(spend_import, staging)
    step("staging cleared")
    step.log()
    return {"inserted": max(inserted, 0), "months": months, "undated": undated, "dated": dated}


def _date_assumed_payments(staging: str, spend_import: SpendImport) -> int:
    """Earlier imports' payments dated by assumption (their files gave no date) that this file
    holds with a date, by supplier, reference and amount: they take this file's date, and are
    re-matched (a contract is live on some dates), re-totalled and re-summarised in their old
    and new months. Their imports then count them as dated, in these months. Returns how many.
    Only for authorities with such payments: a probe per row of the natural key's index."""
    imp, auth = spend_import.pk, spend_import.authority_id
    earlier = dict(
        SpendImport.objects.filter(authority_id=auth, status__in=HOLDS_PAYMENTS, undated_rows__gt=0)
        .exclude(pk=imp)
        .values_list("pk", "undated_as")
    )
    if not earlier:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE spend_transaction SET payment_date = s.payment_date, month = s.month,
                                         date_assumed = FALSE
            FROM {staging} s
            JOIN spend_payee p ON p.authority_id = %s AND p.normalized_name = s.payee_key
            WHERE s.spend_import_id = %s AND NOT s.date_assumed AND s.reference <> ''
              AND spend_transaction.payee_id = p.id
              AND spend_transaction.reference = s.reference
              AND spend_transaction.amount = s.amount AND spend_transaction.date_assumed
            RETURNING spend_transaction.id, spend_transaction.spend_import_id,
                      spend_transaction.month
            """,
            [auth, imp],
        )
        changed = cursor.fetchall()
    if not changed:
        return 0
    slices = {(auth, _month_start(undated_as)) for undated_as in earlier.values() if undated_as}
    per_import: dict[int, set] = {}
    for _pk, import_id, month in changed:
        per_import.setdefault(import_id, set()).add(_as_date(month).isoformat())
    for import_id, new_months in per_import.items():
        earlier_import = SpendImport.objects.get(pk=import_id)
        earlier_import.undated_rows -= sum(1 for row in changed if row[1] == import_id)
        earlier_import.months = sorted(set(earlier_import.months) | new_months)
        earlier_import.save(update_fields=["undated_rows", "months"])
    ids = [row[0] for row in changed]
    for start in range(0, len(ids), matching.PARAMS_PER_QUERY):
        batch = ids[start : start + matching.PARAMS_PER_QUERY]
        where = f"id IN ({', '.join(['%s'] * len(batch))})"
        slices.update(matching.rematch_transactions(where=where, params=batch))
        matching.refresh_payee_totals(where=where, params=batch)
    summaries.refresh_slices(slices)
    return len(changed)


def _month_start(day) -> datetime.date:
    return _as_date(day).replace(day=1)


def _list_present_with_a_date(cursor, staging: str, spend_import: SpendImport,
                              after_id: int) -> None:  # fmt: skip
    """List the rows this file gave no date to that the INSERT skipped because an earlier
    payment has their supplier, reference and amount with a date (rows skipped by the natural
    key are listed already)."""
    imp = spend_import.pk
    cursor.execute(
        f"""
        INSERT INTO spend_importreject (spend_import_id, row_number, "column", value, reason,
                                        kind, cells)
        SELECT %s, s.row_number, '', 'as import #' || MIN(t.spend_import_id) || ', row '
               || MIN(t.row_number), %s, %s, '[]'
        FROM {staging} s
        JOIN spend_payee p ON p.authority_id = %s AND p.normalized_name = s.payee_key
        JOIN spend_transaction t ON t.payee_id = p.id AND t.reference = s.reference
             AND t.amount = s.amount AND t.id <= %s
        WHERE s.spend_import_id = %s AND s.date_assumed
          AND NOT EXISTS (SELECT 1 FROM spend_transaction k WHERE k.payee_id = p.id
                          AND k.reference = s.reference AND k.payment_date = s.payment_date
                          AND k.amount = s.amount)
        GROUP BY s.row_number
        """,
        [imp, PRESENT_WITH_A_DATE, SkipKind.PRESENT, spend_import.authority_id, after_id, imp],
    )


def _list_present_rows(cursor, staging: str, spend_import: SpendImport) -> None:
    """List every staged row the INSERT skipped, with the payment it matched by natural key
    (each skipped row matches exactly one: the unique key says so). Runs only when rows were
    skipped, so an import of new payments pays nothing for it."""
    imp = spend_import.pk
    cursor.execute(
        f"""
        INSERT INTO spend_importreject (spend_import_id, row_number, "column", value, reason,
                                        kind, cells)
        SELECT %s, s.row_number, '',
               CASE WHEN t.spend_import_id = %s THEN 'as row ' || t.row_number || ' of this file'
                    ELSE 'as import #' || t.spend_import_id || ', row ' || t.row_number END,
               %s, %s, '[]'
        FROM {staging} s
        JOIN spend_payee p ON p.authority_id = %s AND p.normalized_name = s.payee_key
        JOIN spend_transaction t ON t.payee_id = p.id AND t.reference = s.reference
             AND t.payment_date = s.payment_date AND t.amount = s.amount
        WHERE s.spend_import_id = %s
          AND NOT (t.spend_import_id = %s AND t.row_number = s.row_number)
        """,
        [imp, imp, PRESENT_REASON, SkipKind.PRESENT, spend_import.authority_id, imp, imp],
    )


def _as_date(value) -> datetime.date:
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value
