"""Publication exports: key KPIs (contract-details notice) and latest assessments (contract
performance notice), as CSV columns and JSON records."""

from collections.abc import Callable


def _num(value):
    return None if value is None else f"{value.normalize():f}"


KEY_KPI_COLUMNS = [
    ("Contract reference", lambda k: k.contract.reference),
    ("Contract title", lambda k: k.contract.title),
    ("KPI", lambda k: k.name),
    ("Description", lambda k: k.description),
    ("Unit", lambda k: k.unit),
    ("Target", lambda k: _num(k.target)),
    ("Approaching threshold", lambda k: _num(k.approaching)),
    ("Direction", lambda k: "higher is better" if k.higher_is_better else "lower is better"),
    ("Data source", lambda k: k.data_source),
]

ASSESSMENT_COLUMNS = [
    ("Contract reference", lambda r: r.contract.reference),
    ("Contract title", lambda r: r.contract.title),
    ("Supplier", lambda r: r.vendor.legal_name),
    ("Supplier company number", lambda r: r.vendor.company_number),
    ("Period start", lambda r: r.period_start.isoformat()),
    ("Period end", lambda r: r.period_end.isoformat()),
    ("Overall rating", lambda r: r.get_overall_rating_display()),
    (
        "KPI ratings",
        lambda r: "; ".join(
            f"{x.kpi.name}: {x.get_rating_display()}" for x in r.results.all() if x.kpi.is_key
        ),
    ),
    ("Narrative", lambda r: r.narrative),
]


def rows_json(columns) -> Callable:
    return lambda row: {header: get(row) for header, get in columns}


def assessment_json(review) -> dict:
    """One contract performance notice record, with every key KPI's score."""
    return {
        "contract_reference": review.contract.reference,
        "contract_title": review.contract.title,
        "supplier": review.vendor.legal_name,
        "supplier_company_number": review.vendor.company_number,
        "period_start": review.period_start.isoformat(),
        "period_end": review.period_end.isoformat(),
        "overall_rating": review.overall_rating,
        "overall_rating_label": review.get_overall_rating_display(),
        "narrative": review.narrative,
        "kpis": [
            {
                "name": r.kpi.name,
                "unit": r.kpi.unit,
                "target": _num(r.target),
                "value": _num(r.value),
                "rating": r.rating,
            }
            for r in review.results.all()
            if r.kpi.is_key
        ],
    }
