import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from kpis import services
from kpis.models import ActionStatus, Review, ReviewState
from tests.factories import TODAY, ContractFactory, VendorFactory
from tests.html_index import Index

from .conftest import log_review

d = datetime.date


@pytest.fixture
def cm_client(client, hub):
    client.force_login(hub.cm)
    return client


def _form_data(vendor, kpis, **overrides):
    data = {
        "vendor": vendor.pk,
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
        "meeting_date": "2026-10-10",
        "attendees": "CM, vendor account manager",
        "overall_rating": "good",
        "narrative": "A good quarter.",
        "submit": "1",
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "0",
        "actions-0-description": "",
    }
    for i, kpi in enumerate(kpis):
        data[f"value_{kpi.pk}"] = ["96", "99", "1"][i]
    data.update(overrides)
    return data


def test_contract_manager_logs_and_submits_a_review(cm_client, hub, contract, vendor, kpis):
    url = reverse("kpis:review_create", args=[contract.reference])
    data = _form_data(vendor, kpis)
    data.update(
        {
            "actions-0-description": "Send the recovery plan",
            "actions-0-owner": hub.cm.pk,
            "actions-0-due_date": "2026-12-15",
        }
    )
    response = cm_client.post(url, data)
    review = Review.objects.get()
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    assert review.state == ReviewState.SUBMITTED
    assert review.results.count() == 3
    assert review.actions.get().owner == hub.cm
    page = cm_client.get(reverse("kpis:contract_scorecard", args=[contract.reference]))
    charts = {c["name"]: c for c in page.context["charts_json"]}
    assert charts["On-time delivery"]["labels"] == ["30 Sep 2026"]
    assert charts["On-time delivery"]["datasets"][0]["data"] == [96.0]
    assert b"Send the recovery plan" in page.content
    mine = cm_client.get(reverse("kpis:my_reviews"))
    assert b"Send the recovery plan" in mine.content
    detail = cm_client.get(review.get_absolute_url()).content.decode()
    assert "Weighted KPI score 4.0 of 4, which suggests Good." in detail


def test_wrong_type_value_is_a_clear_form_error(cm_client, contract, vendor, kpis):
    data = _form_data(vendor, kpis, **{f"value_{kpis[0].pk}": "ninety"})
    response = cm_client.post(reverse("kpis:review_create", args=[contract.reference]), data)
    assert response.status_code == 200
    assert "On-time delivery: enter a number" in response.content.decode()
    assert not Review.objects.exists()


def test_overlapping_period_is_a_clear_form_error(cm_client, hub, contract, vendor, kpis):
    log_review(contract, vendor, hub.cm, d(2026, 7, 1), d(2026, 9, 30), {})
    data = _form_data(vendor, kpis, period_start="2026-08-01", period_end="2026-10-31")
    response = cm_client.post(reverse("kpis:review_create", args=[contract.reference]), data)
    assert response.status_code == 200
    assert "overlaps the submitted review of 1 Jul 2026" in response.content.decode()
    assert Review.objects.count() == 1


def test_expired_contract_beyond_grace_is_a_clear_form_error(cm_client, hub, vendor, kpis):
    old = ContractFactory(
        reference="ITS1",
        category=hub.category,
        vendors=[vendor],
        start_date=d(2024, 1, 1),
        end_date=d(2025, 12, 31),
        status="expired",
    )
    data = _form_data(vendor, [], period_start="2025-10-01", period_end="2025-12-31")
    response = cm_client.post(reverse("kpis:review_create", args=[old.reference]), data)
    assert response.status_code == 200
    assert "reviews can be logged only up to 90 days after the end" in response.content.decode()


def test_period_ending_before_it_starts_is_a_form_error(cm_client, contract, vendor, kpis):
    data = _form_data(vendor, kpis, period_start="2026-09-30", period_end="2026-07-01")
    response = cm_client.post(reverse("kpis:review_create", args=[contract.reference]), data)
    assert "The period must end on or after its start." in response.content.decode()


def test_submitting_needs_an_overall_rating_but_a_draft_does_not(cm_client, contract, vendor, kpis):
    url = reverse("kpis:review_create", args=[contract.reference])
    response = cm_client.post(url, _form_data(vendor, kpis, overall_rating=""))
    assert "Give an overall rating before submitting." in response.content.decode()
    response = cm_client.post(url, _form_data(vendor, kpis, overall_rating="", submit="0"))
    assert response.status_code == 302
    assert Review.objects.get().state == ReviewState.DRAFT


def test_action_without_owner_is_a_form_error(cm_client, contract, vendor, kpis):
    """On the fields missing, marked invalid and linked to their messages, with a summary at
    the top (a walkthrough found the one message far down the page, the fields unmarked)."""
    data = _form_data(vendor, kpis, **{"actions-0-description": "Do something"})
    response = cm_client.post(reverse("kpis:review_create", args=[contract.reference]), data)
    index = Index(response.content.decode())
    for name, message in (("owner", "An action needs an owner."),
                          ("due_date", "An action needs a due date.")):  # fmt: skip
        field = index.by_id[f"id_actions-0-{name}"]
        assert field["attrs"].get("aria-invalid") == "true"
        [error] = field["attrs"]["aria-describedby"].split()
        assert index.by_id[error]["text"].strip() == message
    summary = index.by_id["form-errors"]
    assert "The review was not saved: correct what is marked below." in summary["text"]


def test_an_action_with_an_owner_or_date_but_no_description_is_a_form_error(
    cm_client, hub, contract, vendor, kpis
):
    """Found by review: such a row was dropped without a word when the review was submitted."""
    data = _form_data(
        vendor, kpis, **{"actions-0-owner": hub.cm.pk, "actions-0-due_date": "2026-12-15"}
    )
    response = cm_client.post(reverse("kpis:review_create", args=[contract.reference]), data)
    assert response.status_code == 200
    assert "Describe the action, or clear its owner and date." in response.content.decode()
    assert not Review.objects.exists()


def _submitted_with_actions(hub, contract, vendor, first: str, second: str):
    """A submitted Q3 2026 review with two actions of the contract manager, due 31 Oct and
    31 Dec 2026."""
    review = services.review_create(
        contract=contract,
        vendor=vendor,
        fields={
            "period_start": d(2026, 7, 1),
            "period_end": d(2026, 9, 30),
            "overall_rating": "good",
        },
        actions=[
            {"description": first, "owner": hub.cm, "due_date": d(2026, 10, 31)},
            {"description": second, "owner": hub.cm, "due_date": d(2026, 12, 31)},
        ],
        by=hub.cm,
    )
    return services.review_submit(review=review, by=hub.cm)


def test_amending_a_review_keeps_the_actions_already_done(cm_client, hub, contract, vendor, kpis):
    """Found by review: saving the amendment rewrote its actions as open, so a typo fixed in
    the narrative reopened (and made overdue) every action already closed."""
    review = _submitted_with_actions(hub, contract, vendor, "Send recovery plan", "Fix invoices")
    done = review.actions.get(description="Send recovery plan")
    services.action_complete(action=done, by=hub.cm)
    done.refresh_from_db()
    edit = cm_client.post(reverse("kpis:review_amend", args=[review.pk]))["Location"]
    rows = {
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "2",
        "actions-0-description": "Send recovery plan",
        "actions-0-owner": hub.cm.pk,
        "actions-0-due_date": "2026-10-31",
        "actions-1-description": "Fix invoices",
        "actions-1-owner": hub.cm.pk,
        "actions-1-due_date": "2026-12-31",
    }
    data = _form_data(vendor, kpis, narrative="Typo fixed", **rows)
    assert cm_client.post(edit, data).status_code == 302
    current = Review.objects.get(state=ReviewState.SUBMITTED)
    assert current.amends == review
    status = {a.description: (a.status, a.done_at) for a in current.actions.all()}
    assert status == {
        "Send recovery plan": (ActionStatus.DONE, done.done_at),
        "Fix invoices": (ActionStatus.OPEN, None),
    }


def test_two_alike_actions_keep_their_own_statuses_through_an_amendment(
    cm_client, hub, contract, vendor, kpis
):
    review = _submitted_with_actions(hub, contract, vendor, "Chase invoices", "Chase invoices")
    services.action_complete(action=review.actions.order_by("due_date").first(), by=hub.cm)
    edit = cm_client.post(reverse("kpis:review_amend", args=[review.pk]))["Location"]
    rows = {"actions-TOTAL_FORMS": "2", "actions-INITIAL_FORMS": "2"}
    for i, due in enumerate(("2026-10-31", "2026-12-31")):
        rows |= {f"actions-{i}-description": "Chase invoices", f"actions-{i}-owner": hub.cm.pk,
                 f"actions-{i}-due_date": due}  # fmt: skip
    assert cm_client.post(edit, _form_data(vendor, kpis, **rows)).status_code == 302
    current = Review.objects.get(state=ReviewState.SUBMITTED)
    statuses = list(current.actions.order_by("due_date").values_list("status", flat=True))
    assert statuses == [ActionStatus.DONE, ActionStatus.OPEN]


def test_a_review_can_be_corrected_long_after_its_contract_ended(
    cm_client, hub, vendor, kpis, monkeypatch
):
    """The 90 days' grace bounds new reviews, not corrections: amending one gave a 500."""
    old = ContractFactory(
        reference="ITS1", category=hub.category, vendors=[vendor],
        start_date=d(2025, 1, 1), end_date=d(2026, 6, 30),
    )  # fmt: skip
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: d(2026, 7, 10))
    review = log_review(old, vendor, hub.cm, d(2026, 4, 1), d(2026, 6, 30), {})
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    response = cm_client.post(reverse("kpis:review_amend", args=[review.pk]))
    amendment = Review.objects.get(amends=review)
    assert response["Location"] == reverse("kpis:review_edit", args=[amendment.pk])
    data = _form_data(vendor, [], period_start="2026-04-01", period_end="2026-06-30")
    assert cm_client.post(response["Location"], data).status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.AMENDED


def test_editing_a_draft_keeps_its_period_exempt_from_overlap(
    cm_client, hub, contract, vendor, kpis
):
    draft = log_review(contract, vendor, hub.cm, d(2026, 7, 1), d(2026, 9, 30), {}, submit=False)
    data = _form_data(vendor, kpis, narrative="Edited")
    response = cm_client.post(reverse("kpis:review_edit", args=[draft.pk]), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.narrative == "Edited" and draft.state == ReviewState.SUBMITTED


def test_amendment_through_the_views(cm_client, hub, contract, vendor, kpis):
    original = log_review(contract, vendor, hub.cm, d(2026, 7, 1), d(2026, 9, 30), {kpis[0]: 80})
    response = cm_client.post(reverse("kpis:review_amend", args=[original.pk]))
    amendment = Review.objects.get(amends=original)
    assert response["Location"] == reverse("kpis:review_edit", args=[amendment.pk])
    data = _form_data(vendor, kpis, narrative="Corrected figures")
    assert cm_client.post(response["Location"], data).status_code == 302
    original.refresh_from_db()
    assert original.state == ReviewState.AMENDED
    page = cm_client.get(original.get_absolute_url())
    assert b"Superseded by a correction" in page.content


def test_odd_query_strings_never_fail(cm_client, contract, vendor):
    for query in ["?period=2019-Q9", "?authority=abc", "?category=999999", "?pillar=&period="]:
        assert cm_client.get(reverse("kpis:dashboard") + query).status_code == 200
    assert (
        cm_client.get(reverse("kpis:review_create", args=["ITS75"]) + "?vendor=x").status_code
        == 200
    )
    assert cm_client.get(reverse("kpis:export_key_kpis", args=["xml"])).status_code == 404


def test_the_dashboard_says_when_a_list_shows_only_the_most_urgent(
    cm_client, hub, contract, monkeypatch
):
    """ "Reviews overdue (57)" above 25 rows, with nothing saying so (found by review)."""
    monkeypatch.setattr("kpis.selectors.DASHBOARD_ROWS", 2)
    for n in range(3):  # Quarterly from 2025: overdue, as ITS75's own schedule is.
        services.schedule_set(
            contract=ContractFactory(
                reference=f"ITS8{n}", category=hub.category, start_date=d(2025, 1, 1)
            ),
            frequency="quarterly",
        )
    html = cm_client.get(reverse("kpis:dashboard")).content.decode()
    overdue = html.split('id="overdue"')[1].split("</section>")[0]
    assert "Reviews overdue (4)" in overdue
    assert "Showing the 2 most urgent of 4" in overdue


def test_dashboard_filters_by_authority_and_period(cm_client, hub, contract, vendor):
    from tests.factories import AuthorityFactory

    oxford = AuthorityFactory(code="oxf")
    contract.authorities.add(oxford)
    log_review(contract, vendor, hub.cm, d(2026, 7, 1), d(2026, 9, 30), {}, rating="inadequate")
    url = reverse("kpis:dashboard")
    board = cm_client.get(url, {"authority": oxford.pk, "period": "2026-Q3"}).context["board"]
    assert {v: n for _label, v, n in board.distribution}["inadequate"] == 1
    other = AuthorityFactory(code="cher")
    board = cm_client.get(url, {"authority": other.pk}).context["board"]
    assert sum(n for *_x, n in board.distribution) == 0


def test_exports_parse_back(client, hub, contract, vendor, kpis):
    log_review(
        contract,
        vendor,
        hub.cm,
        d(2026, 4, 1),
        d(2026, 6, 30),
        {kpis[0]: 80},
        rating="requires_improvement",
        published=True,
    )
    log_review(
        contract,
        vendor,
        hub.cm,
        d(2026, 7, 1),
        d(2026, 9, 30),
        {kpis[0]: 96},
        rating="good",
        published=True,
    )
    log_review(
        contract,
        vendor,
        hub.cm,
        d(2026, 10, 1),
        d(2026, 10, 31),
        {kpis[0]: 10},
        rating="inadequate",
    )  # unpublished: not in the export
    client.force_login(hub.buyer)
    response = client.get(reverse("kpis:export_key_kpis", args=["csv"]))
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [(r["Contract reference"], r["KPI"], r["Target"]) for r in rows] == [
        ("ITS75", "Complaints per quarter", "2"),
        ("ITS75", "Invoice accuracy", "98"),
        ("ITS75", "On-time delivery", "95"),
    ]
    assert rows[0]["Direction"] == "lower is better"
    response = client.get(reverse("kpis:export_assessments", args=["json"]))
    records = json.loads(response.content)["rows"]
    assert len(records) == 1
    record = records[0]
    assert record["period_end"] == "2026-09-30" and record["overall_rating"] == "good"
    assert record["kpis"][0] == {
        "name": "On-time delivery",
        "unit": "%",
        "target": "95",
        "value": "96",
        "rating": "good",
    }
    response = client.get(reverse("kpis:export_assessments", args=["csv"]))
    rows = list(
        csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")))
    )
    assert [r["Overall rating"] for r in rows] == ["Good"]


def test_buyer_sees_published_assessment_but_no_review_content(client, hub, contract, vendor, kpis):
    published = log_review(
        contract, vendor, hub.cm, d(2026, 4, 1), d(2026, 6, 30), {}, published=True
    )
    hidden = log_review(contract, vendor, hub.cm, d(2026, 7, 1), d(2026, 9, 30), {})
    client.force_login(hub.buyer)
    page = client.get(contract.get_absolute_url()).content.decode()
    assert published.get_absolute_url() in page and hidden.get_absolute_url() not in page
    assert "KPI scorecard" not in page
    assert client.get(published.get_absolute_url()).status_code == 200
    assert client.get(hidden.get_absolute_url()).status_code == 404


QUERY_LIMITS = {"scorecard": 12, "vendor": 10, "dashboard": 18, "mine": 9}


def _many_reviews(hub, count):
    vendor = VendorFactory()
    for n in range(count):
        c = ContractFactory(
            category=hub.category,
            vendors=[vendor],
            start_date=d(2025, 1, 1),
            awarded_value=6_000_000,
        )
        services.schedule_set(contract=c, frequency="quarterly")
        k = services.contract_kpi_add(contract=c, name="KPI", target=95, approaching=90)
        for q in range(2):
            start = d(2025, 1 + 3 * q, 1)
            log_review(
                c, vendor, hub.cm, start, d(2025, 3 + 3 * q, 28), {k: 90 + q}, rating="inadequate"
            )
        services.review_create(
            contract=c,
            vendor=vendor,
            fields={"period_start": d(2025, 7, 1), "period_end": d(2025, 9, 30)},
            actions=[{"description": f"Fix {n}", "owner": hub.cm, "due_date": d(2025, 1, 1)}],
            by=hub.cm,
        )
    return vendor


@pytest.mark.parametrize("count", [1, 4])
def test_query_counts_are_constant(
    cm_client, hub, contract, vendor, kpis, count, django_assert_max_num_queries
):
    other_vendor = _many_reviews(hub, count)
    for q in range(count):
        log_review(
            contract,
            vendor,
            hub.cm,
            d(2025, 1 + 3 * q, 1),
            d(2025, 3 + 3 * q, 28),
            dict.fromkeys(kpis, 90),
        )
    pages = {
        "scorecard": reverse("kpis:contract_scorecard", args=[contract.reference]),
        "vendor": reverse("kpis:vendor_scorecard", args=[other_vendor.pk]),
        "dashboard": reverse("kpis:dashboard") + f"?pillar={hub.pillar.pk}&period=2025-Q1",
        "mine": reverse("kpis:my_reviews"),
    }
    for name, url in pages.items():
        with django_assert_max_num_queries(QUERY_LIMITS[name]):
            assert cm_client.get(url).status_code == 200


def test_contract_page_kpi_section_costs_a_fixed_number_of_queries(
    cm_client, hub, contract, vendor, kpis, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kpis.templatetags.kpi_tags import kpi_contract_summary

    def page_queries():
        with CaptureQueriesContext(connection) as captured:
            page = cm_client.get(contract.get_absolute_url())
        return page, len(captured.captured_queries)

    log_review(contract, vendor, hub.cm, d(2025, 1, 1), d(2025, 3, 31), {}, published=True)
    _page, one = page_queries()
    for q in range(1, 4):
        log_review(
            contract,
            vendor,
            hub.cm,
            d(2025, 1 + 3 * q, 1),
            d(2025, 3 + 3 * q, 28),
            {},
            published=True,
        )
    page, many = page_queries()
    assert many == one
    assert b"kpi-reviews" in page.content and b"Published assessments" in page.content
    assert hub.cm.profile.role  # loaded already on a real request
    with django_assert_max_num_queries(2):
        summary = kpi_contract_summary(contract, hub.cm)
    assert len(summary["published"]) == 4


def test_category_team_adds_to_its_own_library_only(client, hub):
    client.force_login(hub.cat_officer)
    url = reverse("kpis:library")
    data = {
        "category": hub.other_category.pk,
        "name": "Response time",
        "target": "4",
        "weight": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    data["category"] = hub.category.pk
    assert client.post(url, data).status_code == 302
    data["approaching"] = "2"  # below the target, with higher is better unticked: wrong side
    response = client.post(url, {**data, "name": "Other"})
    assert "above it when lower is better" in response.content.decode()
    assert hub.category.kpi_templates.get().name == "Response time"


def test_closing_an_action_never_redirects_off_site(cm_client, hub, contract, vendor):
    review = services.review_create(
        contract=contract,
        vendor=vendor,
        fields={"period_start": d(2026, 7, 1), "period_end": d(2026, 9, 30)},
        actions=[{"description": "Plan", "owner": hub.cm, "due_date": d(2026, 12, 1)}],
        by=hub.cm,
    )
    action = review.actions.get()
    url = reverse("kpis:action_done", args=[action.pk])
    response = cm_client.post(url, {"next": "https://evil.example.com/"})
    assert response["Location"] == reverse("kpis:my_reviews")
    action.refresh_from_db()
    assert action.status == "done"
    assert cm_client.post(url, {"next": "/kpis/"}).status_code == 404  # already done


def test_unknown_objects_are_404(cm_client):
    for url in [
        "/kpis/contracts/NOPE/",
        "/kpis/reviews/999999/",
        "/kpis/vendors/999999/",
        "/kpis/contracts/NOPE/reviews/new/",
        "/kpis/export/assessments.xml",
    ]:
        assert cm_client.get(url).status_code == 404, url


def test_review_form_proposes_the_period_due_next(cm_client, hub, contract, vendor, kpis):
    log_review(contract, vendor, hub.cm, d(2026, 4, 1), d(2026, 6, 30), {})
    form = cm_client.get(reverse("kpis:review_create", args=[contract.reference])).context["form"]
    assert form["period_start"].value() == d(2026, 7, 1)
    assert form["period_end"].value() == d(2026, 9, 30)
    assert form["vendor"].value() == vendor.pk


def test_kpi_link_in_the_header_only_for_people_who_may_open_it(client, hub):
    client.force_login(hub.buyer)
    assert 'href="/kpis/"' not in client.get("/contracts/").content.decode()
    client.force_login(hub.cm)
    assert 'href="/kpis/"' in client.get("/contracts/").content.decode()


def test_scorecard_actions_cost_no_query_per_action(cm_client, hub, contract, vendor, kpis):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kpis.models import ReviewAction

    review = log_review(contract, vendor, hub.cm, d(2025, 1, 1), d(2025, 3, 31), {})
    url = reverse("kpis:contract_scorecard", args=[contract.reference])
    counts = []
    for total in (1, 6):
        while ReviewAction.objects.count() < total:
            ReviewAction.objects.create(
                review=review, description="Fix invoicing", owner=hub.cm, due_date=d(2026, 1, 1)
            )
        with CaptureQueriesContext(connection) as ctx:
            assert cm_client.get(url).content.decode().count("Fix invoicing") == total
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_review_form_ignores_a_vendor_that_is_not_a_plain_number(cm_client, contract, vendor):
    url = reverse("kpis:review_create", args=[contract.reference])
    assert cm_client.get(url + "?vendor=%C2%B2").status_code == 200  # "²" is a digit, not 0-9


def test_a_negative_target_is_exported_as_a_number(client, hub, contract, kpis):
    kpis[0].target, kpis[0].approaching = Decimal("-5"), None
    kpis[0].save(update_fields=["target", "approaching"])
    client.force_login(hub.buyer)
    response = client.get(reverse("kpis:export_key_kpis", args=["csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    targets = {r["KPI"]: r["Target"] for r in csv.DictReader(io.StringIO(text))}
    assert targets[kpis[0].name] == "-5"  # Not "'-5": a number is never a formula.


def test_the_review_form_reads_the_action_owners_once(cm_client, hub, contract, vendor, kpis):
    """Each action row offers the same owners: one query for them, whatever the rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    review = log_review(contract, vendor, hub.cm, d(2025, 1, 1), d(2025, 3, 31), {}, submit=False)
    url = reverse("kpis:review_edit", args=[review.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert cm_client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for n in range(8):
        review.actions.create(description=f"Fix {n}", owner=hub.cm, due_date=d(2025, 6, 1))
    assert queries() == few
