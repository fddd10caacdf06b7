"""Read messy spend files: CSV in UTF-8, UTF-8 with BOM or Windows-1252, any common delimiter;
XLSX through openpyxl in read-only mode. Finds the header row below blank and title rows and
ignores empty spacer columns. Rows stream: a file is never held in memory whole."""

import codecs
import csv
import datetime
import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from spend.mapping import header_field, header_score

SAMPLE_BYTES = 256 * 1024
HEADER_SCAN_ROWS = 30
DELIMITERS = ",;\t|"


class UnreadableFile(ValueError):
    """The file is not a spend table we can read."""


ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1252": "Windows-1252"}


def undecodable(exc: UnicodeDecodeError) -> UnreadableFile:
    """A byte that is no character in the encoding detected, said so a person can act on it."""
    byte = exc.object[exc.start : exc.start + 1].hex().upper()
    encoding = ENCODING_NAMES.get(exc.encoding.replace("_", "-").lower(), exc.encoding)
    if exc.encoding == "charmap":
        encoding = "Windows-1252"
    return UnreadableFile(
        f"The file holds a byte (0x{byte}) that is no character in {encoding}, the encoding "
        "it was read as: save it as “CSV UTF-8” and upload it again."
    )


@dataclass
class TableLayout:
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    header_row: int = 1  # 1-based line (CSV) or sheet row (XLSX) of the header
    sheet: str = ""
    headers: list[str] = field(default_factory=list)  # Only the columns that have a header.
    columns: list[int] = field(default_factory=list)  # Their positions in the raw rows.
    # Cells a row may have (CSV): the header's, spacers included, or most data rows' if more.
    width: int = 0
    # Other sheets of a workbook that also have a spend header row: not imported (XLSX).
    other_sheets: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header_row": self.header_row,
            "sheet": self.sheet,
            "headers": self.headers,
            "columns": self.columns,
            "width": self.width,
            "other_sheets": self.other_sheets,
        }


def is_xlsx(name: str, head: bytes) -> bool:
    return name.lower().endswith((".xlsx", ".xlsm")) or head[:4] == b"PK\x03\x04"


def detect_encoding(fileobj: BinaryIO) -> str:
    """utf-8-sig when there is a BOM; utf-8 when the whole file decodes (a Windows-1252 "é"
    may first appear on the last line); else Windows-1252. About 0.1 s per 100 MB."""
    fileobj.seek(0)
    head = fileobj.read(len(codecs.BOM_UTF8))
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        decoder.decode(head)
        while block := fileobj.read(1 << 20):
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    finally:
        fileobj.seek(0)
    return "utf-8"


def detect_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:HEADER_SCAN_ROWS] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        # The delimiter that appears most often, and as often on most lines.
        def score(d: str) -> tuple[int, int]:
            counts = [line.count(d) for line in lines]
            return (max(counts.count(c) for c in counts) if any(counts) else 0, sum(counts))

        return max(DELIMITERS, key=score)


def find_header(rows: list[list[str]]) -> tuple[int, list[str], list[int]]:
    """(index in rows, headers, column positions): the best-scoring row among the first rows.

    Blank rows and title rows (one filled cell) never win; empty header cells are spacer
    columns and are left out."""
    best, best_score = None, 0
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = [clean_cell(c) for c in row]
        filled = [c for c in cells if c]
        if len(filled) < 2:
            continue
        score = header_score(filled)
        if score > best_score:
            best, best_score = index, score
    if best is None:
        raise UnreadableFile("No header row found: the file names none of the spend columns.")
    cells = [clean_cell(c) for c in rows[best]]
    columns = [i for i, c in enumerate(cells) if c]
    return best, [cells[i] for i in columns], columns


def clean_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat(sep=" ")  # A date format takes this.
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value).strip().replace("\ufeff", "")


MONEY_FIELDS = ("amount", "net_amount", "vat_amount")
_THOUSANDS_HEAD = re.compile(r"[-(]?\s*£?\s*\d{1,3}")
_THOUSANDS_TAIL = re.compile(r"\d{3}(\.\d+)?\)?")


def _split_thousands(row: list[str], money: list[int], width: int) -> bool:
    """A row whose amount was written "1,234.56" without quotes: the comma split it in two
    cells, "1" in the money column (its position in `money`) and "234.56" after it. The second
    half must have pence, or fall past the header's `width` (where no column is headed): else
    "100" then "410" is an amount and the expense code beside it."""
    return any(
        i + 1 < len(row)
        and _THOUSANDS_HEAD.fullmatch(row[i].strip())
        and (tail := _THOUSANDS_TAIL.fullmatch(row[i + 1].strip()))
        and (tail.group(1) or i + 1 >= width)
        for i in money
    )


def _utf16(head: bytes) -> bool:
    """UTF-16 without a BOM: most of the bytes at even or at odd positions are NUL (ASCII text
    with a zero byte beside each character)."""
    return any(part.count(0) * 10 > len(part) * 8 for part in (head[0::2], head[1::2]) if part)


def _usual_width(header: list[str], rows: list[list[str]]) -> int:
    """How many cells a row may have before its values count as shifted: the header's, or the
    width most data rows have when wider (a notes column left without a heading). Not when
    most of those wider rows hold an amount split at its thousands comma: in a file of large
    payments that is what most rows look like, and every one of them is shifted."""
    widths = Counter(len(row) for row in rows if any(cell.strip() for cell in row))
    usual = widths.most_common(1)[0][0] if widths else 0
    if usual > len(header):
        money = [i for i, cell in enumerate(header) if header_field(cell) in MONEY_FIELDS]
        wider = [row for row in rows if len(row) == usual]
        if sum(_split_thousands(row, money, len(header)) for row in wider) * 2 > len(wider):
            return len(header)
    return max(len(header), usual)


def _unreadable_csv(exc: csv.Error, line: int | None = None) -> UnreadableFile:
    """Python's CSV reader gave up (a field over its 128 KB limit, most often from a quote that
    never closes and swallows the lines after it)."""
    where = f" at line {line}" if line else ""
    return UnreadableFile(f"The CSV cannot be read{where}: {exc} (a quote left open?)")


class SpendTable:
    """A readable table: its layout, and its data rows as (row number, cells by column)."""

    def __init__(self, fileobj: BinaryIO, name: str):
        self.fileobj = fileobj
        self.name = name
        fileobj.seek(0)
        head = fileobj.read(SAMPLE_BYTES)
        fileobj.seek(0)
        if not head.strip():
            raise UnreadableFile("The file is empty.")
        if is_xlsx(name, head):
            self.layout = self._xlsx_layout()
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16(head[:4096]):
            raise UnreadableFile(
                "The file is UTF-16 text (as Excel's 'Unicode text' saves it): save it as "
                "'CSV UTF-8' and upload that."
            )
        elif b"\x00" in head[:4096]:
            raise UnreadableFile(
                "The file is not text (it holds binary data): upload a CSV or XLSX file. An "
                "older Excel workbook (.xls) must be saved as .xlsx or CSV first."
            )
        else:
            self.layout = self._csv_layout(head)

    # CSV ------------------------------------------------------------------------------------
    def _csv_layout(self, head: bytes) -> TableLayout:
        encoding = detect_encoding(self.fileobj)
        text = head.decode(encoding, errors="ignore")
        delimiter = detect_delimiter(text)
        try:
            # newline="" as the row reader: a file with CR alone at line ends (Excel for Mac's
            # "CSV (Macintosh)") is still read line by line, and quoted line breaks kept.
            sample_rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            raise _unreadable_csv(exc) from exc
        index, headers, columns = find_header(sample_rows[:-1] or sample_rows)
        return TableLayout(
            kind="csv",
            encoding=encoding,
            delimiter=delimiter,
            header_row=index + 1,
            headers=headers,
            columns=columns,
            width=_usual_width(sample_rows[index], sample_rows[index + 1 : -1]),
        )

    def _csv_raw_rows(self) -> Iterator[tuple[int, list]]:
        self.fileobj.seek(0)
        text = io.TextIOWrapper(self.fileobj, encoding=self.layout.encoding, newline="")
        try:
            reader = csv.reader(text, delimiter=self.layout.delimiter)
            yield from enumerate(reader, start=1)
        except csv.Error as exc:
            raise _unreadable_csv(exc, reader.line_num) from exc
        finally:
            text.detach()

    # XLSX -----------------------------------------------------------------------------------
    def _workbook(self):
        from openpyxl import load_workbook

        self.fileobj.seek(0)
        try:
            return load_workbook(self.fileobj, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise UnreadableFile(f"Not a readable XLSX workbook: {exc}") from exc

    def _xlsx_layout(self) -> TableLayout:
        workbook = self._workbook()
        try:
            best, found = None, []
            for sheet in workbook.worksheets:
                rows = [
                    list(r)
                    for r, _ in zip(
                        sheet.iter_rows(values_only=True), range(HEADER_SCAN_ROWS), strict=False
                    )
                ]
                try:
                    index, headers, columns = find_header(rows)
                except UnreadableFile:
                    continue
                score = header_score(headers)
                found.append(sheet.title)
                if best is None or score > best[0]:
                    best = (score, sheet.title, index, headers, columns)
        finally:
            workbook.close()
        if best is None:
            raise UnreadableFile("No sheet has a header row naming the spend columns.")
        _score, title, index, headers, columns = best
        return TableLayout(
            kind="xlsx", sheet=title, header_row=index + 1, headers=headers, columns=columns,
            other_sheets=[t for t in found if t != title],
        )  # fmt: skip

    def _xlsx_raw_rows(self) -> Iterator[tuple[int, list]]:
        workbook = self._workbook()
        try:
            sheet = workbook[self.layout.sheet]
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [clean_cell(c) for c in row]
        finally:
            workbook.close()

    # Both -----------------------------------------------------------------------------------
    def rows(self, on_spill: Callable[[int, int, str, list], None] | None = None
             ) -> Iterator[tuple[int, list[str]]]:  # fmt: skip
        """Data rows below the header, as (row number in the file, cells of the header's
        columns). Wholly blank rows are skipped. With `on_spill`, a CSV row with a value beyond
        the header's last cell (its values shifted by a comma in an unquoted field) is not
        yielded: on_spill(row number, cells in the row, the first such value, its cells) is
        called, with the cells of the header's columns followed by those past the last."""
        raw = self._xlsx_raw_rows() if self.layout.kind == "xlsx" else self._csv_raw_rows()
        columns = self.layout.columns
        width = len(columns)
        spills_after = self.layout.width if on_spill and self.layout.kind == "csv" else None
        for number, row in raw:
            if number <= self.layout.header_row:
                continue
            if spills_after and len(row) > spills_after:
                beyond = next((c for c in row[spills_after:] if c.strip()), None)
                if beyond is not None:
                    header_cells = [row[i] for i in columns]  # Then what spilled past them.
                    on_spill(number, len(row), beyond, header_cells + row[spills_after:])
                    continue
            cells = [row[i] if i < len(row) else "" for i in columns]
            if not any(c and str(c).strip() for c in cells):
                continue
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            yield number, cells

    def preview(self, limit: int = 8) -> list[list[str]]:
        out = []
        for _number, cells in self.rows():
            out.append([clean_cell(c) for c in cells])
            if len(out) >= limit:
                break
        return out

    def estimated_rows(self) -> int:
        """About how many data rows there are, without parsing them (for a progress bar): the
        lines after the header (CSV) or the sheet's stated size (XLSX). Blank rows count too;
        0 when unknown."""
        if self.layout.kind == "xlsx":
            workbook = self._workbook()
            try:
                lines = workbook[self.layout.sheet].max_row or 0
            finally:
                workbook.close()
        else:
            self.fileobj.seek(0)
            blocks = iter(lambda: self.fileobj.read(1 << 20), b"")
            lines = sum(block.count(b"\n") for block in blocks)
        return max(lines - self.layout.header_row, 0)
