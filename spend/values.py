"""Parse the values of spend files: amounts, dates, and payee names for matching."""

import calendar
import datetime
import html
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings

from procurement_hub.formatting import CURRENCY_SYMBOLS, write_amount
from procurement_hub.formatting import day as format_day

DEFAULT_DATE_FORMATS = (
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
)
# Digits, or digits in thousands groups ("1,234,567"), then any decimals. A comma anywhere else
# ("1,2", "1.234,56") is not a number here: stripping it would import a wrong amount.
_AMOUNT = re.compile(r"^-?(\d+|[1-9]\d{0,2}(,\d{3})+)(\.(\d+))?$")
_CURRENCY = str.maketrans("", "", "£$€ \u00a0")
# More decimals than pence, not a float written out in full: "12.345" is likelier a thousands
# separator than a fraction of a penny, so it is rejected, not rounded.
FLOAT_DIGITS = 6
MAX_AMOUNT = Decimal("999999999999.99")

# The longest reference and supplier name a payment holds. Longer ones are rejected, never cut:
# two payments cut to the same reference, or two suppliers to the same name, would merge (the
# second taken for "already present").
MAX_REFERENCE, MAX_SUPPLIER = 100, 255
TOO_LONG = (
    "{what} is longer than {limit} characters: shorten it (cut short, it could match another)"
)


# "1234.56", "-12" or "1,234.56": the amounts of nearly every row, taken without the full parse
# (by the row path in Python, by the COPY path in SQL: the same pattern for both).
PLAIN_AMOUNT = r"^-?(\d{1,12}|[1-9]\d{0,2}(,\d{3}){1,3})(\.\d{1,2})?$"


class BadValue(ValueError):
    pass


def _hub_symbol() -> str | None:
    return CURRENCY_SYMBOLS.get(settings.HUB_CURRENCY)


def parse_amount(raw: str) -> Decimal:
    """ "1,234.56", "£1,234", "(123.45)", "-123.45", "123.45-", "123.45 CR" -> Decimal."""
    text = str(raw).strip()
    if not text:
        raise BadValue("Amount is missing")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    upper = text.upper()
    if upper.endswith("CR"):
        negative, text = True, text[:-2]
    foreign = [c for c in CURRENCY_SYMBOLS.values() if c in text and c != _hub_symbol()]
    if foreign:
        raise BadValue(f"Amount is in another currency ({foreign[0]}): the hub counts "
                       f"{settings.HUB_CURRENCY}")  # fmt: skip
    text = text.translate(_CURRENCY)
    if text.endswith("-"):
        negative, text = True, text[:-1]
    if text.startswith("-") and negative:
        raise BadValue("Amount is not a number")
    if text.startswith("+"):
        text = text[1:]
    match = _AMOUNT.match(text)
    if not match:
        raise BadValue("Amount is not a number")
    decimals = match.group(4) or ""
    if 2 < len(decimals.rstrip("0")) < FLOAT_DIGITS:  # "12.345", "12.345000"; not "12.500"
        raise BadValue("Amount has more than two decimal places")
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise BadValue("Amount is not a number") from None
    if value.as_tuple().exponent < -2:  # "12.500", or a float from a spreadsheet cell.
        value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if abs(value) > MAX_AMOUNT:
        raise BadValue("Amount is too large")
    return -value if negative else value


class DateParser:
    """Parses dates with the profile's formats first, then dd/mm/yyyy and ISO; remembers
    each distinct text (spend files repeat the same few dates thousands of times)."""

    def __init__(self, extra_formats: str | list[str] = "", latest: datetime.date | None = None):
        if isinstance(extra_formats, str):
            extra_formats = [f.strip() for f in extra_formats.split(",") if f.strip()]
        self.formats = [*extra_formats, *DEFAULT_DATE_FORMATS]
        # Payments are made, not planned: a date past `latest` is a fault ("01/04/68" is 2068).
        self.latest = latest
        self.cache: dict[str, datetime.date | str] = {}  # A date, or why the text is not one.

    def __call__(self, raw: str) -> datetime.date:
        text = str(raw).strip()
        if not text:
            raise BadValue("Date is missing")
        if text not in self.cache:
            if len(self.cache) > 100_000:
                self.cache.clear()
            value = self._parse(text)
            if isinstance(value, datetime.date) and self.latest and value > self.latest:
                value = (
                    f"Date is in the future (after {format_day(self.latest)}): a spend file lists "
                    "payments made"
                )
            self.cache[text] = value
        value = self.cache[text]
        if isinstance(value, str):
            raise BadValue(value)
        return value

    def _parse(self, text: str) -> datetime.date | str:
        outside = False
        for fmt in self.formats:
            try:
                value = datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if FIRST_PAYMENT_YEAR <= value.year <= LAST_PAYMENT_YEAR:
                return value
            outside = True
        if not outside and _ISO_DATE_TIME.match(text):  # "2024-02-01T10:15:00.000+00:00"
            try:
                value = datetime.datetime.fromisoformat(text).date()
            except ValueError:
                pass
            else:
                if FIRST_PAYMENT_YEAR <= value.year <= LAST_PAYMENT_YEAR:
                    return value
                outside = True
        if outside:
            return f"Date is outside the years {FIRST_PAYMENT_YEAR}–{LAST_PAYMENT_YEAR}"
        if _DAY_MONTH_YEAR.match(text):
            return "Date does not exist (read as day/month/year, or year-month-day)"
        return "Date is not a date in a known format (dd/mm/yyyy, ISO)"


# A date cell with no date in it: empty, or a time of day alone ("00:00:00", as a council's
# export leaves when it loses the dates). Such rows may be dated by the importer's choice.
_TIME_ONLY = re.compile(r"^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
# Month words of a file name, whole words only ("mar" and "march", never "market").
_MONTHS = {
    **{m.lower(): n for n, m in enumerate(calendar.month_abbr) if m},
    **{m.lower(): n for n, m in enumerate(calendar.month_name) if m},
    "sept": 9,
}
_FINANCIAL_YEAR = re.compile(r"(?<!\d)(19|20)\d\d\s*[-/_]\s*\d\d(?!\d)")
_NAME_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")


UNDATED = "Date holds a time but no day: give a date for undated rows to import them"


ASSUMED_DATE = "Its file gave no date: dated as the importer chose on the preview"


def undated_as_problem(day: datetime.date | None) -> str | None:
    """Why this date cannot date a file's undated rows, or None: it must be a date a payment
    in a file may have."""
    if day is not None and not FIRST_PAYMENT_YEAR <= day.year <= LAST_PAYMENT_YEAR:
        return (
            f"Give a date in the years {FIRST_PAYMENT_YEAR}–{LAST_PAYMENT_YEAR}, as payments have."
        )
    return None


UNDATED_NEEDS_REFERENCE = (
    "Undated rows can be dated only from a file with a transaction reference column: without "
    "one, two payments of the same amount to the same supplier would look alike"
)


def is_undated(raw) -> bool:
    """True when a date cell holds no date: empty, or a time alone."""
    text = str(raw).strip()
    return not text or bool(_TIME_ONLY.match(text))


def period_end_from_name(file_name: str) -> datetime.date | None:
    """The last day of the period a file's name gives ("expenditure-apr-jun-2014.csv": 30 Jun
    2014): its last month name in its one year. None when the name gives no month or no single
    year."""
    name = file_name.lower()
    if _FINANCIAL_YEAR.search(name):  # "2014-15 Jan-Mar" is 2015's March: not guessed.
        return None
    years = set(_NAME_YEAR.findall(name))
    months = [_MONTHS[word] for word in re.findall(r"[a-z]+", name) if word in _MONTHS]
    if len(years) != 1 or not months:
        return None
    year, month = int(years.pop()), months[-1]
    if not FIRST_PAYMENT_YEAR <= year <= LAST_PAYMENT_YEAR:
        return None
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


# Years a payment date may have; "31/02/2025"-like text that no format takes is a day that
# does not exist, not an unknown format.
FIRST_PAYMENT_YEAR, LAST_PAYMENT_YEAR = 1990, 2100
_ISO_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}[/.-]\d{1,2}[/.-](\d{2}|\d{4})|\d{4}-\d{1,2}-\d{1,2})$")


_LEGAL_SUFFIXES = {"ltd", "limited", "plc", "llp", "inc", "llc", "incorporated", "lp", "co"}
_PUNCT = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


def normalize_name(name: str) -> str:
    """A payee or vendor name reduced for exact matching: case, accents, HTML entities,
    punctuation, "&"/"and", and legal suffixes (Ltd, Limited, PLC, LLP, Inc, LLC)."""
    text = html.unescape(html.unescape(str(name)))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("+", " and ")
    text = _PUNCT.sub(" ", text.replace("'", "").replace("\u2019", "")).replace("_", " ")
    words = _SPACES.sub(" ", text).strip().split(" ")
    if words and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1] in _LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)[:255]


def payee_key(supplier_name: str) -> str:
    """The key a payee is known by within an authority (the file's name, stripped)."""
    return normalize_name(supplier_name) or supplier_name.casefold()


def expense_key(expense_name: str) -> str:
    """The key of an expense category that comes without a code."""
    return normalize_name(expense_name)[:200] if expense_name else ""


def format_pounds(value, places: int = 0) -> str:
    """£1,234 (or £1,234.56 with two places), and −£1,234 for a credit or refund: how every
    spend page writes an amount. Empty for no value."""
    if value in (None, ""):
        return ""
    return write_amount(Decimal(str(value)), places)
