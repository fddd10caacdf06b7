"""Permission-matrix cases for the kpis app's views (see tests/matrix.py).

Objects are made on first use inside the World (each case runs in a fresh database).
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kpis import services
from tests.matrix import EDITORS_OF_OWN_CATEGORY, STAFF, Case

REVIEWERS = STAFF - {"buyer"}
SIGNERS = frozenset({"head", "admin"})
LIBRARY_EDITORS = frozenset({"cat_manager", "cat_officer", "head", "admin"})
EDITORS_OF_OTHER_CATEGORY = frozenset({"other_cm", "admin"})
NOBODY = frozenset()
REDIRECT = frozenset({302})


def _kpi(w):
    if not hasattr(w, "_kpi"):
        w._kpi = services.contract_kpi_add(
            contract=w.public_contract,
            name="On-time delivery",
            unit="%",
            target=95,
            approaching=90,
            is_key=True,
        )
    return w._kpi


def _review(w, *, contract=None, submit=True, published=False, start=datetime.date(2026, 4, 1)):
    contract = contract or w.public_contract
    if contract.awards.count() == 0:
        contract.awards.create(vendor=w.vendor)
    review = services.review_create(
        contract=contract,
        vendor=w.vendor,
        fields={
            "period_start": start,
            "period_end": start + datetime.timedelta(days=90),
            "overall_rating": "good",
            "is_published": published,
            "narrative": "Deliveries on time.",
        },
        results=[{"kpi": _kpi(w), "value": 96}] if contract == w.public_contract else [],
        actions=[
            {"description": "Share plan", "owner": w.hub.cm, "due_date": datetime.date(2026, 12, 1)}
        ],
        by=w.hub.admin,
    )
    if submit:
        services.review_submit(review=review, by=w.hub.admin)
    return review


def _url(name, *args):
    return lambda w: reverse(f"kpis:{name}", args=args)


def _review_url(name, **kwargs):
    return lambda w: reverse(f"kpis:{name}", args=[_review(w, **kwargs).pk])


def _log_data(w):
    kpi = _kpi(w)
    return {
        "vendor": w.vendor.pk,
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
        "overall_rating": "good",
        f"value_{kpi.pk}": "96",
        "submit": "0",
        "actions-TOTAL_FORMS": "0",
        "actions-INITIAL_FORMS": "0",
    }


def _action_url(w):
    return reverse("kpis:action_done", args=[_review(w).actions.get().pk])


def _evidence(w):
    return {
        "title": "Minutes",
        "file": SimpleUploadedFile("minutes.txt", b"Minutes of the meeting"),
    }


def _evidence_url(*, submit=True, published=False):
    def url(w):
        review = _review(w, submit=False, published=published)
        evidence = services.evidence_add(review=review, by=w.hub.admin, **_evidence(w))
        if submit:
            services.review_submit(review=review, by=w.hub.admin)
        return reverse("kpis:evidence", args=[evidence.pk])

    return url


def _internal_published(w):
    w.internal_contract.awards.create(vendor=w.vendor)
    review = _review(w, contract=w.internal_contract, published=True)
    return reverse("kpis:review", args=[review.pk])


CASES = [
    Case("kpi my reviews", _url("my_reviews"), REVIEWERS),
    Case("kpi dashboard", lambda w: reverse("kpis:dashboard") + "?period=junk&pillar=x", REVIEWERS),
    Case("kpi library", _url("library"), REVIEWERS),
    Case(
        "kpi add library template",
        _url("library"),
        LIBRARY_EDITORS,
        method="post",
        data=lambda w: {
            "category": w.hub.category.pk,
            "name": "Response time",
            "unit": "h",
            "target": "4",
            "approaching": "8",
            "weight": "1",
        },
        ok=REDIRECT,
    ),
    Case("kpi public contract scorecard", _url("contract_scorecard", "ITS75"), REVIEWERS),
    Case("kpi internal contract scorecard", _url("contract_scorecard", "ITS76"), REVIEWERS),
    Case(
        "kpi vendor scorecard",
        lambda w: reverse("kpis:vendor_scorecard", args=[w.vendor.pk]),
        REVIEWERS,
    ),
    Case("kpi setup own category", _url("contract_kpis", "ITS75"), EDITORS_OF_OWN_CATEGORY),
    Case(
        "kpi add KPI own category",
        _url("contract_kpis", "ITS75"),
        EDITORS_OF_OWN_CATEGORY,
        method="post",
        data=lambda w: {
            "action": "add",
            "name": "Complaints",
            "target": "2",
            "weight": "1",
            "approaching": "4",
        },
        ok=REDIRECT,
    ),
    Case("kpi setup other category", _url("contract_kpis", "FAC115"), EDITORS_OF_OTHER_CATEGORY),
    Case("kpi review form own category", _url("review_create", "ITS75"), EDITORS_OF_OWN_CATEGORY),
    Case(
        "kpi review form other category", _url("review_create", "FAC115"), EDITORS_OF_OTHER_CATEGORY
    ),
    Case(
        "kpi log review own category",
        _url("review_create", "ITS75"),
        EDITORS_OF_OWN_CATEGORY,
        method="post",
        data=_log_data,
        ok=REDIRECT,
    ),
    Case("kpi unpublished review", _review_url("review"), REVIEWERS),
    Case("kpi published review", _review_url("review", published=True), STAFF),
    Case("kpi published review of internal contract", _internal_published, STAFF),
    Case("kpi evidence of unpublished review", _evidence_url(), REVIEWERS),
    # Evidence stays internal when the review is published (the page shows it to viewers only).
    Case("kpi evidence of published review", _evidence_url(published=True), REVIEWERS),
    Case("kpi evidence of draft", _evidence_url(submit=False), REVIEWERS),
    Case("kpi edit draft", _review_url("review_edit", submit=False), EDITORS_OF_OWN_CATEGORY),
    Case("kpi edit submitted review", _review_url("review_edit"), NOBODY),
    Case(
        "kpi save submitted review",
        _review_url("review_edit"),
        NOBODY,
        method="post",
        data=_log_data,
        ok=REDIRECT,
    ),
    Case(
        "kpi resubmit submitted review",
        _review_url("review_submit"),
        NOBODY,
        method="post",
        ok=REDIRECT,
    ),
    Case(
        "kpi delete submitted review",
        _review_url("review_delete"),
        NOBODY,
        method="post",
        ok=REDIRECT,
    ),
    Case(
        "kpi evidence on submitted review",
        _review_url("evidence_add"),
        NOBODY,
        method="post",
        data=_evidence,
        ok=REDIRECT,
    ),
    Case(
        "kpi submit draft",
        _review_url("review_submit", submit=False),
        EDITORS_OF_OWN_CATEGORY,
        method="post",
        ok=REDIRECT,
    ),
    Case(
        "kpi delete draft",
        _review_url("review_delete", submit=False),
        EDITORS_OF_OWN_CATEGORY,
        method="post",
        ok=REDIRECT,
    ),
    Case(
        "kpi add evidence to draft",
        _review_url("evidence_add", submit=False),
        EDITORS_OF_OWN_CATEGORY,
        method="post",
        data=_evidence,
        ok=REDIRECT,
    ),
    Case(
        "kpi amend submitted review",
        _review_url("review_amend"),
        EDITORS_OF_OWN_CATEGORY,
        method="post",
        ok=REDIRECT,
    ),
    Case("kpi sign off", _review_url("review_sign_off"), SIGNERS, method="post", ok=REDIRECT),
    Case(
        "kpi sign off draft",
        _review_url("review_sign_off", submit=False),
        NOBODY,
        method="post",
        ok=REDIRECT,
    ),
    Case("kpi action done", _action_url, EDITORS_OF_OWN_CATEGORY, method="post", ok=REDIRECT),
    Case("kpi export key KPIs csv", _url("export_key_kpis", "csv"), STAFF),
    Case("kpi export key KPIs json", _url("export_key_kpis", "json"), STAFF),
    Case("kpi export assessments csv", _url("export_assessments", "csv"), STAFF),
    Case("kpi export assessments json", _url("export_assessments", "json"), STAFF),
]

# With HUB_PUBLIC_INDEX on, anonymous visitors see published assessments of public contracts
# and the publication exports, and nothing else of this app.
PUBLIC_INDEX_OPEN = {
    "kpi published review",
    "kpi export key KPIs csv",
    "kpi export key KPIs json",
    "kpi export assessments csv",
    "kpi export assessments json",
}
