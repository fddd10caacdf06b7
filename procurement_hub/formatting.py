"""How an amount of money is written on the contract and sourcing pages: `{{ value|money }}`,
`{{ value|money:contract.currency }}` (a built-in filter, see TEMPLATES in settings).

£11,705,900 for whole pounds, £1,234.56 with pence, −£300 for a credit, "CHF 5,000" for a
currency without a symbol here, and "" for no value (so `|default:"–"` can say so). Without a
currency argument, the hub's own (HUB_CURRENCY)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.conf import settings

register = template.Library()

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
MINUS = "\u2212"  # The minus sign: −£1,000.00 for a credit, not £-1,000.00.


def write_amount(amount: Decimal, places: int, currency: str = "") -> str:
    """An amount with `places` decimals, its currency's symbol and the minus sign first. No
    currency given: the hub's own (HUB_CURRENCY)."""
    currency = currency or settings.HUB_CURRENCY
    number = f"{abs(amount):,.{int(places)}f}"
    sign = MINUS if amount < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency} {number}"


@register.filter
def money(value, currency: str = "") -> str:
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return write_amount(amount, 0 if amount == amount.to_integral_value() else 2, currency)


@register.filter
def whole_money(value, currency: str = "") -> str:
    """As money, rounded to whole pounds, halves up: report totals (£1,234 for £1,233.50)."""
    if value in (None, ""):
        return ""
    try:
        return money(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP), currency)
    except InvalidOperation:
        return str(value)


def day(date) -> str:
    """8 Dec 2026: dates in messages as the pages write them ("j M Y"), never "08 Dec"."""
    return f"{date.day} {date:%b %Y}"


def long_day(date) -> str:
    """8 December 2026."""
    return f"{date.day} {date:%B %Y}"
