"""PostgreSQL's fast path for CSV files: COPY the file's bytes, as they are, into a temporary
table of text columns, then check and convert the rows with set-based SQL into the session's
temporary staging table, which the move reads.

Each distinct date, payee name, expense name and unusual amount is parsed once, by the same
Python functions as the row-by-row path (spend files repeat a few thousand dates and names over
millions of rows). SQL accepts only rows that are plainly fine; every other non-blank row goes
through the row-by-row check (`RowParser.check`), which stages it or lists its faults. So both
paths accept, convert and reject alike.

A file PostgreSQL's CSV reader will not take as it is (rows of uneven width, blank lines,
bare-CR line ends, bytes invalid in the detected encoding) makes `copy_stage` return False:
the caller then reads it row by row.
"""

import contextlib
import csv
import io
import logging
import re
import time

import psycopg
from django.db import DatabaseError, DataError, connection, transaction
from django.db.transaction import TransactionManagementError

from spend import progress
from spend.mapping import mapping_positions
from spend.models import IMPORT_WORK_MEM, SESSION_STAGING_TABLE, STAGING_COLUMNS
from spend.values import (
    MAX_REFERENCE,
    MAX_SUPPLIER,
    PLAIN_AMOUNT,
    BadValue,
    expense_key,
    parse_amount,
    payee_key,
)

logger = logging.getLogger(__name__)

COPY_ENCODINGS = {"utf-8": "UTF8", "utf-8-sig": "UTF8", "cp1252": "WIN1252"}
# What Python's str.strip() strips (every str.isspace() character; the last is U+3000), for SQL's
# btrim, which strips only what it is given.
WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())
BLOCK = 1 << 20
# The staged rows of a COPY import: a temporary table of this session (no WAL, no index), with
# spend_stagingrow's columns, read by the move in the same session and dropped after it.
STAGED_TABLE = SESSION_STAGING_TABLE
# The file as text and the maps of its distinct values: dropped when staging ends, however.
RAW_TABLES = ("spend_raw", "spend_raw_dates", "spend_raw_names", "spend_raw_expense",
              "spend_raw_amounts", "spend_raw_bodies")  # fmt: skip


def _data_start(table) -> tuple[int, int] | None:
    """(physical lines before the first data row, cells in the header row), or None when the
    file's line ends or layout rule this path out."""
    fileobj, layout = table.fileobj, table.layout
    fileobj.seek(0)
    head = fileobj.read(BLOCK)
    if b"\r" in head.replace(b"\r\n", b""):
        return None  # Bare CR line ends: csv and readline() would count lines differently.
    fileobj.seek(0)
    text = io.TextIOWrapper(fileobj, encoding=layout.encoding, newline="")
    try:
        reader = csv.reader(text, delimiter=layout.delimiter)
        header: list[str] = []
        for _ in range(layout.header_row):
            header = next(reader)
        return reader.line_num, len(header)
    except (StopIteration, csv.Error, UnicodeDecodeError):
        return None
    finally:
        text.detach()


def _copy_raw(cursor, table, skip_lines: int, width: int) -> None:
    layout = table.layout
    columns = ", ".join(f"c{i}" for i in range(width))
    cursor.execute("DROP TABLE IF EXISTS spend_raw")
    cursor.execute(
        f"CREATE TEMP TABLE spend_raw (n bigint GENERATED ALWAYS AS IDENTITY, "
        f"{', '.join(f'c{i} text' for i in range(width))})"
    )
    fileobj = table.fileobj
    fileobj.seek(0)
    for _ in range(skip_lines):
        fileobj.readline()
    delimiter = layout.delimiter.replace("'", "''")
    sql = (
        f"COPY spend_raw ({columns}) FROM STDIN WITH (FORMAT csv, DELIMITER '{delimiter}', "
        f"ENCODING '{COPY_ENCODINGS[layout.encoding]}', FORCE_NOT_NULL ({columns}))"
    )
    quoted = _quoted_field(layout.delimiter)
    with cursor.cursor.copy(sql) as copy:
        rest = b""
        while block := fileobj.read(BLOCK):
            data = rest + block
            cut = data.rfind(b"\n") + 1  # Whole lines only, for the quote check.
            chunk, rest = data[:cut], data[cut:]
            if chunk:
                _check_quotes(chunk, quoted)
                copy.write(chunk)
        if rest:
            _check_quotes(rest, quoted)
            copy.write(rest)


class StrayQuote(ValueError):
    """A quote that does not open a field: PostgreSQL's CSV reader and Python's would read it
    differently (PostgreSQL starts a quoted section there, Python keeps the character)."""


def _quoted_field(delimiter: str) -> re.Pattern:
    """A well-formed quoted field: its opening quote right after a delimiter or a line end, its
    closing quote right before one. It starts with the quote, so the search jumps from quote to
    quote (a lookbehind first would try every byte: 14 times slower on a 100 MB file)."""
    d = re.escape(delimiter.encode())
    return re.compile(rb'"(?<=[' + d + rb'\n]")[^"]*(?:""[^"]*)*"(?=[' + d + rb"\r\n])")


def _check_quotes(chunk: bytes, quoted: re.Pattern) -> None:
    """Raise StrayQuote when a quote is left once the well-formed quoted fields are taken out
    (an inch mark in a description, a space before an opening quote, a quoted field running
    across blocks: all read by the row path instead)."""
    if b'"' in chunk and b'"' in quoted.sub(b"", b"\n" + chunk + b"\n"):
        raise StrayQuote("a quote inside an unquoted field")


def _load_map(cursor, name: str, columns: str, rows) -> None:
    """A temporary table of distinct raw values and what they mean. No key: the values are
    distinct already, the joins hash them, and a btree would refuse a cell over about 2.7 KB."""
    cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(f"CREATE TEMP TABLE {name} ({columns})")
    with cursor.cursor.copy(f"COPY {name} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(f"ANALYZE {name}")


def _distinct_values(cursor, sql: "_Sql") -> dict[str, list[str]]:
    """The distinct raw values of the date, supplier name and expense category columns, and the
    unusual ones of the amount columns (not plain "1,234.56"), in one scan (grouping sets)."""
    exprs = {
        field: sql.col(field)
        for field in ("date", "supplier_name", "expense_category", "authority")
        if sql.col(field)
    }
    for field in ("amount", "net_amount", "vat_amount"):
        column = sql.col(field)
        if column:
            exprs[field] = f"CASE WHEN {column} ~ %(plain)s THEN NULL ELSE {column} END"
    fields = list(exprs)
    aliases = [f"v{n}" for n in range(len(fields))]
    inner = ", ".join(f"{exprs[field]} AS v{n}" for n, field in enumerate(fields))
    cursor.execute(
        f"SELECT {', '.join(aliases)}, GROUPING({', '.join(aliases)}) FROM "
        f"(SELECT {inner} FROM spend_raw r) x "
        f"GROUP BY GROUPING SETS ({', '.join(f'({a})' for a in aliases)})",
        {"plain": PLAIN_AMOUNT},
    )
    values: dict[str, list[str]] = {field: [] for field in fields}
    last = len(fields) - 1
    for *row, grouping in cursor.fetchall():
        # GROUPING() sets a bit for every column not grouped; the one clear bit is the set's.
        n = next(n for n in range(len(fields)) if not grouping & (1 << (last - n)))
        if row[n] is not None:  # Raw cells are never NULL; NULL stands for plain amounts.
            values[fields[n]].append(row[n])
    return values


def _amount_or_none(raw: str):
    try:
        return parse_amount(raw)
    except BadValue:
        return None


class _Sql:
    """The SQL expressions of one file's mapped columns."""

    def __init__(self, table, mapping: dict):
        layout = table.layout
        positions = mapping_positions(mapping, layout.headers)
        self.raw = {f: f"r.c{layout.columns[i]}" for f, i in positions.items()}
        self.header_columns = [f"r.c{i}" for i in layout.columns]

    def col(self, field: str) -> str | None:
        return self.raw.get(field)

    def text(self, field: str, limit: int) -> str:
        column = self.col(field)
        return f"left(btrim({column}, %(ws)s), {limit})" if column else "''"

    def length(self, field: str) -> str:
        column = self.col(field)
        return f"length(btrim({column}, %(ws)s))" if column else "0"

    def amount(self, field: str, alias: str) -> str:
        """The map holds every amount that is not plain (its value NULL when Python refuses
        it), so a value missing from it is plain and casts without a second pattern match."""
        column = self.col(field)
        if not column:
            return "NULL::numeric"
        return (
            f"CASE WHEN {alias}.raw IS NULL THEN replace({column}, ',', '')::numeric(14, 2) "
            f"ELSE {alias}.value END"
        )

    def blank(self) -> str:
        return " AND ".join(f"btrim({c}, %(ws)s) = ''" for c in self.header_columns)


def _build_maps(cursor, sql: _Sql, parser) -> bool:
    """Load the maps of distinct values; True when some body value names another authority."""
    values = _distinct_values(cursor, sql)
    days = []
    for raw in values["date"]:
        day = parser.day(raw, fail=lambda *reason: None)  # Faults: the row check lists them.
        if day is not None:
            days.append((raw, day[0], day[2]))
    _load_map(cursor, "spend_raw_dates", "raw text, day date, assumed boolean", days)
    names = []
    for raw in values["supplier_name"]:
        name = raw.strip()
        if name and len(name) <= MAX_SUPPLIER:  # Longer ones: the row check rejects them.
            names.append((raw, name, payee_key(name)))
    _load_map(cursor, "spend_raw_names", "raw text, name text, key text", names)
    rows = []
    for raw in values.get("expense_category", ()):
        name = raw.strip()[:200]
        rows.append((raw, name, expense_key(name)))
    _load_map(cursor, "spend_raw_expense", "raw text, name text, key text", rows)
    amounts = {}
    for field in ("amount", "net_amount", "vat_amount"):
        for raw in values.get(field, ()):
            amounts.setdefault(raw, _amount_or_none(raw))
    _load_map(cursor, "spend_raw_amounts", "raw text, value numeric(14, 2)",
              amounts.items())  # fmt: skip
    # Body values naming another authority of the hub: their rows go to the row check, which
    # rejects them (usually none, and then no join).
    bodies = parser.bodies
    others = [(raw,) for raw in values.get("authority", ()) if bodies and bodies.other(raw)]
    _load_map(cursor, "spend_raw_bodies", "raw text", others)
    return bool(others)


def _check_sql(sql: _Sql, import_id: int, first_number: int, other_bodies: bool = False) -> str:
    """One pass over the raw rows: every non-blank row converted once into the temporary
    staging table, with `fine` saying whether SQL accepts it as it is."""
    joins = [
        f"LEFT JOIN spend_raw_dates d ON d.raw = {sql.col('date')}",
        f"LEFT JOIN spend_raw_names nm ON nm.raw = {sql.col('supplier_name')}",
    ]
    for field, alias in (("amount", "a"), ("net_amount", "na"), ("vat_amount", "va")):
        if sql.col(field):
            joins.append(f"LEFT JOIN spend_raw_amounts {alias} ON {alias}.raw = {sql.col(field)}")
    expense = sql.col("expense_category")
    if expense:
        joins.append(f"LEFT JOIN spend_raw_expense e ON e.raw = {expense}")
    if other_bodies:
        joins.append(f"LEFT JOIN spend_raw_bodies ob ON ob.raw = {sql.col('authority')}")

    expense_name = "coalesce(e.name, '')" if expense else "''"
    name_key = "coalesce(e.key, '')" if expense else "''"

    def blank(field: str) -> str:
        column = sql.col(field)
        return f"btrim({column}, %(ws)s) = ''" if column else "TRUE"

    converted = ", ".join([
        "r.n", f"{sql.text('reference', 100)} AS reference", "d.day",
        f"{sql.amount('amount', 'a')} AS amount", f"{sql.amount('net_amount', 'na')} AS net",
        f"{sql.amount('vat_amount', 'va')} AS vat", f"{blank('net_amount')} AS no_net",
        f"{blank('vat_amount')} AS no_vat", f"{sql.text('department', 200)} AS department",
        f"{sql.text('expense_code', 100)} AS code",
        f"{expense_name} AS expense_name", f"{name_key} AS name_key",
        f"{sql.text('capital_revenue', 20)} AS caprev", f"{sql.text('supplier_id', 100)} AS sid",
        "nm.name", "nm.key", f"{'ob.raw' if other_bodies else 'NULL'} AS other_body",
        "coalesce(d.assumed, FALSE) AS date_assumed",
        f"{sql.length('reference')} AS reference_length",
    ])  # fmt: skip
    fine = "d.day IS NOT NULL AND name IS NOT NULL AND amount IS NOT NULL"
    fine += " AND (no_net OR net IS NOT NULL) AND (no_vat OR vat IS NOT NULL)"
    if sql.col("reference"):
        fine += f" AND reference <> '' AND reference_length <= {MAX_REFERENCE}"
    if other_bodies:
        fine += " AND other_body IS NULL"
    fine = fine.replace("d.day", "day")
    return f"""
        CREATE TEMP TABLE {STAGED_TABLE} AS
        SELECT n AS id, {import_id} AS spend_import_id, {first_number} + n AS row_number,
               reference, day AS payment_date, date_trunc('month', day)::date AS month, amount,
               net AS net_amount, vat AS vat_amount, department,
               CASE WHEN code <> '' THEN code ELSE name_key END AS expense_key,
               code AS expense_code, expense_name, caprev AS capital_revenue,
               sid AS supplier_id, name AS supplier_name, key AS payee_key, date_assumed,
               coalesce({fine}, FALSE) AS fine
        FROM (SELECT {converted} FROM spend_raw r {" ".join(joins)}
              WHERE NOT ({sql.blank()}) OFFSET 0) converted
    """


def _drop_raw_tables(cursor) -> None:
    """Drop the file's text and maps. After a failure inside an outer transaction the drop
    itself fails; that transaction's rollback removes the tables instead."""
    with contextlib.suppress(DatabaseError, TransactionManagementError):
        for name in RAW_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def copy_stage(spend_import, table, parser, result) -> bool:
    """Stage a CSV file through COPY into the session's temporary staging table (named in
    `result.table`). False (nothing staged) when this path cannot read it."""
    if connection.vendor != "postgresql" or table.layout.kind != "csv":
        return False
    if table.layout.encoding not in COPY_ENCODINGS:
        return False
    start = _data_start(table)
    if start is None:
        return False
    skip_lines, width = start
    if max(table.layout.columns) >= width:
        return False
    started = time.monotonic()
    progress.announce(spend_import.pk, "copy")
    sql = _Sql(table, spend_import.mapping)
    params = {"ws": WHITESPACE, "plain": PLAIN_AMOUNT}
    first = table.layout.header_row
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                _copy_raw(cursor, table, skip_lines, width)
        except (DataError, psycopg.DataError, StrayQuote) as exc:  # Uneven rows, bad bytes…
            logger.info("spend import %s: COPY refused the file (%s)", spend_import.pk, exc)
            progress.forget(spend_import.pk)  # Read row by row instead: processed_rows tells.
            return False
        copied = time.monotonic()
        try:
            progress.announce(spend_import.pk, "checks")
            other_bodies = _build_maps(cursor, sql, parser)
            with transaction.atomic():
                cursor.execute(f"SET LOCAL work_mem = '{IMPORT_WORK_MEM}'")
                cursor.execute(f"DROP TABLE IF EXISTS {STAGED_TABLE}")
                cursor.execute(_check_sql(sql, spend_import.pk, first, other_bodies), params)
                result.total = cursor.rowcount
            cursor.execute(f"SELECT array_agg(id ORDER BY id) FROM {STAGED_TABLE} WHERE NOT fine")
            others = cursor.fetchone()[0] or []
            if others:
                cursor.execute(f"DELETE FROM {STAGED_TABLE} WHERE NOT fine")
            result.staged = result.total - len(others)
            # Every other non-blank row: the row-by-row check stages it or says why not.
            cells = ", ".join(f"c{i}" for i in table.layout.columns)
            # One pass with a hashed ANY (a join sorted all the rows, on disk, to find these).
            cursor.execute(
                f"SELECT n, {cells} FROM spend_raw WHERE n = ANY(%s::bigint[]) ORDER BY n",
                [others],
            )
            checked = []
            for n, *row_cells in cursor.fetchall():
                row, errors = parser.check(first + n, list(row_cells))
                if errors:
                    result.rejects.extend(errors)
                    result.keep_cells(first + n, row_cells)
                else:
                    checked.append((n, True, *row))
            if checked:
                columns = ", ".join(("id", "fine", *STAGING_COLUMNS))
                with cursor.cursor.copy(f"COPY {STAGED_TABLE} ({columns}) FROM STDIN") as copy:
                    for row in checked:
                        copy.write_row(row)
                result.staged += len(checked)
            cursor.execute(f"ANALYZE {STAGED_TABLE}")  # The move's plans depend on it.
        finally:
            _drop_raw_tables(cursor)
    result.table = STAGED_TABLE
    logger.info(
        "spend import %s: COPY %.1f s, checks %.1f s, %s staged, %s rows checked one by one",
        spend_import.pk, copied - started, time.monotonic() - copied, result.staged,
        len(checked) + len({r[0] for r in result.rejects}),
    )  # fmt: skip
    return True
