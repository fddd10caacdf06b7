"""A chart's data as a table (WCAG 1.1.1: a <canvas> chart needs a text alternative that carries
its figures, not just a title). A built-in tag (see TEMPLATES in settings):

    {% chart_table "Spend by month" chart.months "Spend" chart.spend money=True %}
    {% chart_datasets chart %}   (a chart as {"labels": [...], "datasets": [{"label", "data"}]})

Either draws a collapsed <details> with the table, under the chart, from the data the chart is
drawn from.
"""

from decimal import Decimal

from django import template

from procurement_hub.formatting import whole_money

register = template.Library()


def _cell(value, money: bool) -> str:
    if value is None:
        return "–"
    if money:
        return whole_money(value)
    number = Decimal(str(value)).normalize()
    return f"{number:f}"


def _table(caption: str, heading: str, labels, names, columns, money: bool) -> dict:
    rows = [
        (label, [_cell(column[i] if i < len(column) else None, money) for column in columns])
        for i, label in enumerate(labels)
    ]
    return {"caption": caption, "heading": heading, "names": names, "rows": rows}


@register.inclusion_tag("_chart_table.html")
def chart_table(caption: str, labels, *series, money: bool = False, heading: str = "Month"):
    """`series`: a name, then its values (one per label), as many times as the chart has."""
    names, columns = list(series[0::2]), list(series[1::2])
    return _table(caption, heading, labels or [], names, columns, money)


@register.inclusion_tag("_chart_table.html")
def chart_datasets(chart: dict, caption: str = "", heading: str = "Period", money: bool = False):
    datasets = chart.get("datasets", [])
    return _table(
        caption or chart.get("name", ""),
        heading,
        chart.get("labels", []),
        [d.get("label", "") for d in datasets],
        [d.get("data", []) for d in datasets],
        money,
    )
