import csv
import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts.models import ContractStatus
from sourcing import services
from sourcing.models import (
    DecisionKind,
    HandoverItem,
    HandoverItemKind,
    ProjectStatus,
    RenewalDecision,
    SourcingProject,
    Stage,
)
from tests.factories import (
    TODAY,
    AuthorityFactory,
    CategoryFactory,
    ContractFactory,
    VendorFactory,
    staff,
)
from tests.sourcing.factories import extendable_contract, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, hub):
    def sign(user):
        client.force_login(user)
        return client

    return sign


def _many_projects(hub, n=6):
    for i in range(n):
        make_project(hub, title=f"Project {i}", stage=1 + i % 5)


# --- Board -------------------------------------------------------------------------------------


def test_board_shows_one_column_per_stage(signed_in, hub):
    project = make_project(hub, stage=Stage.EVALUATION)
    response = signed_in(hub.sourcing).get(reverse("sourcing:board"))
    html = response.content.decode()
    assert html.count('class="board-column') == 9
    assert response.context["columns"][Stage.EVALUATION - 1]["projects"] == [project]


def test_board_move_with_htmx_returns_the_board(signed_in, hub):
    project = make_project(hub)
    response = signed_in(hub.sourcing).post(
        reverse("sourcing:move", args=[project.pk]),
        {"stage": "2", "board_query": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="board"' in response.content.decode()
    project.refresh_from_db()
    assert project.stage == Stage.MARKET_ENGAGEMENT


def test_board_move_as_plain_form_redirects_back(signed_in, hub):
    project = make_project(hub)
    response = signed_in(hub.sourcing).post(
        reverse("sourcing:move", args=[project.pk]), {"stage": "2", "next": "/sourcing/"}
    )
    assert response.status_code == 302 and response["Location"] == "/sourcing/"
    project.refresh_from_db()
    assert project.stage == 2


def test_move_refused_by_rule_shows_error_and_changes_nothing(signed_in, hub):
    project = make_project(hub, stage=Stage.AWARD_DECISION)
    client = signed_in(hub.sourcing)
    response = client.post(
        reverse("sourcing:move", args=[project.pk]), {"stage": "7"}, HTTP_HX_REQUEST="true"
    )
    assert "Record the award" in response.content.decode()
    response = client.post(
        reverse("sourcing:move", args=[project.pk]), {"stage": "junk"}, follow=True
    )
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.stage == Stage.AWARD_DECISION


def test_move_offsite_next_is_ignored(signed_in, hub):
    project = make_project(hub)
    response = signed_in(hub.sourcing).post(
        reverse("sourcing:move", args=[project.pk]), {"stage": "2", "next": "https://evil.example"}
    )
    assert response["Location"] == project.get_absolute_url()


def test_board_columns_are_capped_with_a_link_to_the_rest(signed_in, hub, settings):
    settings.SOURCING_BOARD_COLUMN_LIMIT = 2
    for i in range(3):
        make_project(hub, title=f"P{i}")
    response = signed_in(hub.sourcing).get(reverse("sourcing:board"))
    first = response.context["columns"][0]
    assert len(first["projects"]) == 2 and first["count"] == 3 and first["more"] == 1
    assert "1 more in the list" in response.content.decode()


def test_board_query_count_is_constant(signed_in, hub, django_assert_max_num_queries):
    client = signed_in(hub.sourcing)
    _many_projects(hub, 3)
    with django_assert_max_num_queries(25) as small:  # a count, 9 columns, who may edit
        client.get(reverse("sourcing:board"))
    _many_projects(hub, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("sourcing:board"))


# --- List --------------------------------------------------------------------------------------


def test_list_filters(signed_in, hub):
    late = make_project(hub, title="Late one", stage=2)
    row = late.stages.get(stage=2)
    row.target_entry, row.target_exit = (
        TODAY - datetime.timedelta(days=90),
        TODAY - datetime.timedelta(days=60),
    )
    row.save()
    services._refresh_plan_state(late)
    other_owner = staff("sourcing_manager")
    other = make_project(hub, title="Other", owner=other_owner, category=hub.other_category)
    predecessor = ContractFactory(category=hub.category)
    reproc = make_project(hub, title="Again", predecessor=predecessor)
    client = signed_in(hub.sourcing)

    def titles(**params):
        response = client.get(reverse("sourcing:list"), params)
        return {p.title for p in response.context["table"].data.data}

    assert titles(rag="red") == {"Late one"}
    assert titles(rag="green") == {"Other", "Again"}
    assert titles(owner=other_owner.pk) == {other.title}
    assert titles(stage="2") == {"Late one"}
    assert titles(kind="reprocurement") == {reproc.title}
    assert titles(kind="new") == {"Late one", "Other"}
    assert titles(pillar=hub.other_pillar.pk) == {"Other"}
    assert titles(q="agai") == {"Again"}


@pytest.mark.parametrize(
    "query",
    ["?page=abc", "?page=999", "?sort=nonsense", "?rag=purple&stage=x&owner=zz", "?per_page=7"],
)
def test_list_survives_odd_query_strings(signed_in, hub, query):
    make_project(hub)
    response = signed_in(hub.head).get(reverse("sourcing:list") + query)
    assert response.status_code == 200


def test_list_query_count_is_constant(signed_in, hub, django_assert_max_num_queries):
    client = signed_in(hub.head)
    _many_projects(hub, 3)
    with django_assert_max_num_queries(14) as small:
        client.get(reverse("sourcing:list"))
    _many_projects(hub, 15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("sourcing:list"))


def test_list_htmx_returns_results_only(signed_in, hub):
    make_project(hub)
    response = signed_in(hub.head).get(reverse("sourcing:list"), HTTP_HX_REQUEST="true")
    assert "<h1" not in response.content.decode()
    assert 'id="result-count"' in response.content.decode()


# --- Project page and forms ----------------------------------------------------------------------


def test_project_page_shows_timeline_and_history(signed_in, hub, django_assert_max_num_queries):
    client = signed_in(hub.sourcing)
    small = make_project(hub, stage=Stage.MARKET_ENGAGEMENT)
    with django_assert_max_num_queries(30) as before:
        client.get(small.get_absolute_url())
    loads = [q for q in before.captured_queries
             if q["sql"].startswith('SELECT "sourcing_sourcingproject"."id"')]  # fmt: skip
    assert len(loads) == 1  # The project is loaded once; its lists are prefetched onto it.
    project = make_project(hub, stage=Stage.CONTRACT_SIGNED)  # awarded, longer history
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(project.get_absolute_url())
    html = response.content.decode()
    assert html.count("<tr") >= 10  # nine stages + header
    assert "Contract signed" in html and "Stage moved" in html and "Awarded" in html


def test_create_project_plans_stages(signed_in, hub):
    response = signed_in(hub.sourcing).post(
        reverse("sourcing:create"),
        {
            "title": "Legal panel",
            "category": hub.category.pk,
            "route": "restricted",
            "owner": hub.sourcing.pk,
        },
    )
    project = SourcingProject.objects.get(title="Legal panel")
    assert response["Location"] == project.get_absolute_url()
    assert project.stages.count() == 9 and project.stage_target_exit is not None


def test_create_form_shows_field_errors(signed_in, hub):
    response = signed_in(hub.sourcing).post(
        reverse("sourcing:create"), {"title": "", "predecessor_reference": "NOPE"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "title" in form.errors and "predecessor_reference" in form.errors


def test_edit_changes_targets_and_records_history(signed_in, hub):
    project = make_project(hub)
    data = {
        "title": project.title,
        "category": hub.category.pk,
        "route": "open",
        "owner": hub.sourcing.pk,
        "estimated_value": "100",
    }
    for row in project.stages.all():
        data[f"target_entry_{row.stage}"] = row.target_entry.isoformat()
        data[f"target_exit_{row.stage}"] = row.target_exit.isoformat()
    data["target_exit_1"] = (TODAY - datetime.timedelta(days=40)).isoformat()
    data["target_entry_1"] = (TODAY - datetime.timedelta(days=50)).isoformat()
    response = signed_in(hub.head).post(reverse("sourcing:edit", args=[project.pk]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.stage_target_exit == TODAY - datetime.timedelta(days=40)
    assert project.history.filter(kind="plan").exists()
    data["target_exit_2"] = "2000-01-01"
    response = signed_in(hub.head).post(reverse("sourcing:edit", args=[project.pk]), data)
    assert "target_exit_2" in response.context["form"].errors


def test_hold_without_reason_is_refused(signed_in, hub):
    project = make_project(hub)
    signed_in(hub.sourcing).post(
        reverse("sourcing:status", args=[project.pk, "hold"]), {"reason": ""}
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE


def test_unknown_status_action_is_404(signed_in, hub):
    project = make_project(hub)
    response = signed_in(hub.sourcing).post(
        reverse("sourcing:status", args=[project.pk, "explode"])
    )
    assert response.status_code == 404


# --- Award and handover through the views -------------------------------------------------------


def test_award_through_the_form_creates_contract(signed_in, hub):
    vendor = VendorFactory(legal_name="Acme Fleet Ltd")
    project = make_project(hub, stage=Stage.AWARD_DECISION)
    data = {
        "reference": "fle1",
        "start_date": "2027-01-01",
        "end_date": "2029-12-31",
        "max_end_date": "2031-12-31",
        "awarded_on": TODAY.isoformat(),
        "baseline_cost": "500000",
        "awarded_cost": "450000",
        "cashable_percent": "50",
        "awards-TOTAL_FORMS": "1",
        "awards-INITIAL_FORMS": "0",
        "awards-0-vendor": "Acme Fleet Ltd",
        "awards-0-lot": "Lot 1",
        "awards-0-value": "450000",
    }
    response = signed_in(hub.sourcing).post(reverse("sourcing:award", args=[project.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    project.refresh_from_db()
    assert project.contract.reference == "FLE1"
    assert project.contract.awards.get().vendor == vendor
    assert project.cashable_savings == Decimal("25000.00")


def test_award_form_errors_on_bad_dates_and_taken_reference(signed_in, hub):
    ContractFactory(reference="TAKEN")
    project = make_project(hub, stage=Stage.AWARD_DECISION)
    data = {
        "reference": "taken",
        "start_date": "2027-01-01",
        "end_date": "2026-01-01",
        "awarded_on": TODAY.isoformat(),
        "baseline_cost": "5",
        "awarded_cost": "4",
        "cashable_percent": "150",
        "awards-TOTAL_FORMS": "0",
        "awards-INITIAL_FORMS": "0",
    }
    response = signed_in(hub.sourcing).post(reverse("sourcing:award", args=[project.pk]), data)
    errors = response.context["form"].errors
    assert {"reference", "end_date", "cashable_percent"} <= set(errors)


def test_handover_accept_through_views(signed_in, hub, monkeypatch):
    monkeypatch.setattr(services, "_contract_kpi_add", lambda **kw: None)
    monkeypatch.setattr(services, "_move_followers", lambda **kw: None)
    predecessor = ContractFactory(reference="PRE1", category=hub.category)
    project = make_project(hub, stage=Stage.MOBILISATION, predecessor=predecessor)
    items = list(project.handover.items.all())
    sourcing = signed_in(hub.sourcing)
    for item in items:
        content = (
            "A | https://example.org/a"
            if item.kind == HandoverItemKind.DOCUMENTS
            else "Uptime | 99"
        )
        sourcing.post(
            reverse("sourcing:handover_item", args=[project.pk, item.pk]), {"content": content}
        )
    cm = signed_in(hub.cm)
    page = cm.get(reverse("sourcing:handover", args=[project.pk]))
    assert page.context["can_accept"] and not page.context["all_accepted"]
    for item in items:
        cm.post(reverse("sourcing:handover_item_accept", args=[project.pk, item.pk]))
    response = cm.post(reverse("sourcing:handover_accept", args=[project.pk]))
    project.refresh_from_db()
    predecessor.refresh_from_db()
    assert response["Location"] == project.contract.get_absolute_url()
    assert project.contract.status == ContractStatus.ACTIVE
    assert predecessor.status == ContractStatus.SUPERSEDED
    contract_page = cm.get(project.contract.get_absolute_url()).content.decode()
    assert 'id="lineage"' in contract_page and "PRE1" in contract_page


def test_contract_page_lineage_queries_stay_constant(signed_in, hub, django_assert_max_num_queries):
    contract = extendable_contract(hub)
    client = signed_in(hub.cm)
    with django_assert_max_num_queries(40) as before:
        client.get(contract.get_absolute_url())
    services.contract_extend(
        contract=contract,
        option=contract.extension_options.first(),
        rationale="x",
        approved_by=hub.head,
        by=hub.cm,
    )
    make_project(hub, predecessor=contract)
    with django_assert_max_num_queries(len(before.captured_queries)):
        html = client.get(contract.get_absolute_url()).content.decode()
    assert "Option 1 (12 months)" in html


# --- Renewals and decisions -------------------------------------------------------------------


def test_renewal_pipeline_page_and_late_filter(signed_in, hub, django_assert_max_num_queries):
    ContractFactory(
        reference="SOON", category=hub.category, end_date=TODAY + datetime.timedelta(days=30)
    )
    ContractFactory(
        reference="LATER", category=hub.category, end_date=TODAY + datetime.timedelta(days=400)
    )
    client = signed_in(hub.cm)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("sourcing:renewals"))
    refs = [c.reference for c in response.context["page"]]
    assert refs == ["SOON", "LATER"]
    assert response.context["decidable"] == {c.pk for c in response.context["page"]}
    response = client.get(reverse("sourcing:renewals"), {"late": "1", "page": "zz"})
    assert [c.reference for c in response.context["page"]] == ["SOON"]


def test_the_renewal_pipeline_pages_on(signed_in, hub):
    """Its Next link read "??page=2" and so showed page 1 again (found by review)."""
    for n in range(55):
        ContractFactory(
            reference=f"R{n:03}",
            category=hub.category,
            end_date=TODAY + datetime.timedelta(days=30 + n),
        )
    client = signed_in(hub.cm)
    first = client.get(reverse("sourcing:renewals"), {"late": ""})
    link = re.search(r'href="([^"]+)">Next<', first.content.decode()).group(1)
    assert link == "?late=&amp;page=2"
    second = client.get(reverse("sourcing:renewals") + link.replace("&amp;", "&"))
    assert second.context["page"].number == 2
    assert second.context["page"][0].reference == "R050"


def test_a_handover_accepted_by_a_user_since_deleted_still_shows(signed_in, hub):
    """The page named the accepter through `.username` of nobody: a 500 for every such pack."""
    project = make_project(hub, stage=Stage.MOBILISATION)
    HandoverItem.objects.filter(handover=project.handover).update(
        content="x", accepted_at=timezone.now(), accepted_by=None
    )
    response = signed_in(hub.cm).get(reverse("sourcing:handover", args=[project.pk]))
    assert response.status_code == 200
    assert "Accepted by a former user" in response.content.decode()


def test_decide_extend_through_form(signed_in, hub):
    contract = extendable_contract(hub)
    option = contract.extension_options.get(sequence=1)
    response = signed_in(hub.cm).post(
        reverse("sourcing:decide", args=[contract.reference]),
        {
            "kind": "extend",
            "option": option.pk,
            "rationale": "Performing well",
            "approved_by": hub.head.pk,
        },
    )
    assert response.status_code == 302
    decision = RenewalDecision.objects.get()
    assert decision.kind == DecisionKind.EXTEND and decision.decided_by == hub.cm


def test_decide_form_requires_option_and_owner(signed_in, hub):
    contract = extendable_contract(hub)
    client = signed_in(hub.head)
    url = reverse("sourcing:decide", args=[contract.reference])
    response = client.post(url, {"kind": "extend", "rationale": "x", "approved_by": hub.head.pk})
    assert "option" in response.context["form"].errors
    response = client.post(url, {"kind": "reprocure", "rationale": "x", "approved_by": hub.head.pk})
    assert "owner" in response.context["form"].errors
    response = client.post(
        url, {"kind": "extend", "option": 999999, "rationale": "", "approved_by": ""}
    )
    assert {"option", "rationale", "approved_by"} <= set(response.context["form"].errors)
    assert not RenewalDecision.objects.exists()


def test_decide_reprocure_redirects_to_new_project(signed_in, hub):
    contract = extendable_contract(hub)
    response = signed_in(hub.cm).post(
        reverse("sourcing:decide", args=[contract.reference]),
        {
            "kind": "reprocure",
            "rationale": "Market changed",
            "approved_by": hub.head.pk,
            "owner": hub.sourcing.pk,
            "route": "restricted",
        },
    )
    project = SourcingProject.objects.get(predecessor=contract)
    assert response["Location"] == project.get_absolute_url()
    assert project.route == "restricted"


def test_decide_refused_rule_shows_error(signed_in, hub):
    contract = extendable_contract(hub, options=(36,), max_months=12)
    option = contract.extension_options.get()
    response = signed_in(hub.cm).post(
        reverse("sourcing:decide", args=[contract.reference]),
        {"kind": "extend", "option": option.pk, "rationale": "x", "approved_by": hub.head.pk},
    )
    assert response.status_code == 200
    assert "maximum end date" in response.content.decode()


# --- Reports ---------------------------------------------------------------------------------


def _csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_pipeline_notice_csv_lists_big_procurements_starting_within_window(
    signed_in, hub, settings
):
    settings.SOURCING_PIPELINE_NOTICE_THRESHOLD = Decimal("2000000")
    big = make_project(hub, title="=Big one", estimated_value=Decimal("2000000"))
    big.authorities.add(
        AuthorityFactory(code="oxf", name="Oxford City Council"),
        AuthorityFactory(code="cher", name="Cherwell District Council"),
    )
    make_project(hub, title="Small", estimated_value=Decimal("1999999"))
    far = make_project(hub, title="Far", estimated_value=Decimal("9000000"))
    row = far.stages.get(stage=Stage.TENDER_PUBLISHED)
    row.target_entry = TODAY + datetime.timedelta(days=600)
    row.target_exit = row.target_entry + datetime.timedelta(days=30)
    row.save()
    out = make_project(
        hub, title="Already out", estimated_value=Decimal("5000000"), stage=Stage.EVALUATION
    )
    assert out.stage == Stage.EVALUATION
    response = signed_in(hub.head).get(reverse("sourcing:pipeline_notice"))
    rows = _csv_rows(response)
    assert [r["Project"] for r in rows] == ["'=Big one"]  # formula-safe
    assert Decimal(rows[0]["Estimated value"]) == big.estimated_value
    expected = big.stages.get(stage=Stage.TENDER_PUBLISHED).target_entry
    assert rows[0]["Tender expected"] == expected.isoformat()
    assert rows[0]["Authorities"] == "Cherwell District Council; Oxford City Council"
    assert rows[0]["Route"] == "Open procedure"
    assert rows[0]["Sourcing manager"] == hub.sourcing.get_full_name()


def test_forward_plan_groups_value_by_quarter_pillar_and_category(
    signed_in, hub, django_assert_max_num_queries
):
    # TODAY is 22 Nov 2026: 2026 Q4 is the first quarter.
    ContractFactory(
        category=hub.category, end_date=datetime.date(2026, 12, 31), awarded_value=Decimal(100)
    )
    ContractFactory(
        category=hub.category, end_date=datetime.date(2026, 12, 1), awarded_value=Decimal(50)
    )
    ContractFactory(
        category=hub.other_category, end_date=datetime.date(2027, 5, 1), awarded_value=Decimal(7)
    )
    ContractFactory(
        category=hub.category, end_date=datetime.date(2029, 1, 1), awarded_value=Decimal(999)
    )
    with django_assert_max_num_queries(25):  # one grouped query, whatever the contracts
        response = signed_in(hub.head).get(reverse("sourcing:forward_plan"))
    plan = response.context["plan"]
    assert plan["labels"][0] == "2026 Q4" and plan["labels"][-1] == "2028 Q4"
    assert plan["totals"][0] == {"value": Decimal(150), "count": 2}
    assert plan["totals"][2] == {"value": Decimal(7), "count": 1}
    assert sum(t["count"] for t in plan["totals"]) == 3  # 2029 is beyond 24 months
    html = response.content.decode()
    embedded = html.split('id="forward-plan-data" type="application/json">')[1].split("</script>")[
        0
    ]
    chart = json.loads(embedded)
    assert chart["counts"][0] == 2
    assert {d["label"] for d in chart["datasets"]} == {hub.pillar.name, hub.other_pillar.name}
    assert 'id="forward-plan-chart"' in response.content.decode()


def test_savings_report_by_year_pillar_and_category(signed_in, hub):
    project = make_project(
        hub, stage=Stage.CONTRACT_SIGNED
    )  # awarded 1,000,000 → 900,000, 60% cashable
    other = CategoryFactory(pillar=hub.pillar)
    make_project(hub, category=other, stage=Stage.CONTRACT_SIGNED)
    assert project.cashable_savings == Decimal("60000.00")
    response = signed_in(hub.head).get(reverse("sourcing:savings"))
    report = response.context["report"]
    year, totals = report["years"][0]
    assert year == TODAY.year
    assert totals["cashable"] == Decimal("120000.00") and totals["non_cashable"] == Decimal(
        "80000.00"
    )
    assert [r["projects"] for r in report["pillars"]] == [2]
    assert len(report["rows"]) == 2


def test_workload_counts_projects_by_stage_and_behind_plan(signed_in, hub):
    late = make_project(hub, stage=2)
    row = late.stages.get(stage=2)
    row.target_entry, row.target_exit = (
        TODAY - datetime.timedelta(days=20),
        TODAY - datetime.timedelta(days=5),
    )
    row.save()
    services._refresh_plan_state(late)
    make_project(hub, stage=4)
    response = signed_in(hub.head).get(reverse("sourcing:workload"))
    (person,) = response.context["people"]
    assert person["total"] == 2 and person["behind"] == 1
    assert person["stages"][1] == 1 and person["stages"][3] == 1
    # Its "behind" link lists what it counted: amber (5 days late) and red alike. It listed
    # red only, so 21 behind opened a list of 10 (found by review).
    link = re.search(r'href="([^"]+)">1</a>', response.content.decode()).group(1)
    listed = signed_in(hub.head).get(link.replace("&amp;", "&"))
    assert [p.pk for p in listed.context["table"].data] == [late.pk]


def test_metrics_page_shows_medians(signed_in, hub):
    project = make_project(hub)
    row = project.stages.get(stage=1)
    row.actual_entry = TODAY - datetime.timedelta(days=12)
    row.actual_exit = TODAY
    row.save()
    response = signed_in(hub.head).get(reverse("sourcing:metrics"))
    assert response.status_code == 200
    assert "12" in response.content.decode()


def test_contract_page_says_whether_the_current_term_is_decided(signed_in, hub):
    contract = extendable_contract(hub)
    client = signed_in(hub.cm)
    assert "no decision recorded yet" in client.get(contract.get_absolute_url()).content.decode()
    services.contract_let_expire(
        contract=contract, rationale="Done", approved_by=hub.head, by=hub.cm
    )
    html = client.get(contract.get_absolute_url()).content.decode()
    assert "Let expire decided" in html
    assert "Lineage" not in signed_in(hub.buyer).get(contract.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/sourcing/?rag=purple&stage=99&owner=abc&pillar=x",
        "/sourcing/renewals/?page=-3&late=maybe&mine=2",
        "/sourcing/renewals/?page=99999",
        "/sourcing/reports/forward-plan/?junk=1",
    ],
)
def test_other_pages_survive_odd_query_strings(signed_in, hub, url):
    make_project(hub)
    assert signed_in(hub.head).get(url).status_code == 200


def test_unknown_project_and_contract_are_404(signed_in, hub):
    client = signed_in(hub.head)
    assert client.get(reverse("sourcing:project", args=[999999])).status_code == 404
    assert client.get(reverse("sourcing:decide", args=["NOPE"])).status_code == 404
    assert client.get(reverse("sourcing:handover", args=[999999])).status_code == 404


def test_decision_page_says_when_a_reprocurement_must_start(signed_in, hub):
    contract = extendable_contract(hub, end_in_days=100)
    response = signed_in(hub.cm).get(reverse("sourcing:decide", args=[contract.reference]))
    # No history yet: 8 stages × SOURCING_DEFAULT_STAGE_DAYS (30) = 240 days before the end.
    assert response.context["start_by"] == contract.end_date - datetime.timedelta(days=240)
    assert "passed" in response.content.decode()


@pytest.mark.parametrize(
    "name", ["renewals", "workload", "metrics", "forward_plan", "savings", "pipeline_notice"]
)
def test_report_query_counts_do_not_grow_with_data(
    signed_in, hub, name, django_assert_max_num_queries
):
    client = signed_in(hub.head)
    url = reverse(f"sourcing:{name}")
    make_project(hub, stage=Stage.CONTRACT_SIGNED)
    ContractFactory(category=hub.category, end_date=TODAY + datetime.timedelta(days=40))
    with django_assert_max_num_queries(30) as small:
        response = client.get(url)
        if name == "pipeline_notice":
            b"".join(response.streaming_content)
    for i in range(4):
        project = make_project(hub, stage=Stage.CONTRACT_SIGNED, category=hub.other_category)
        project.authorities.add(AuthorityFactory(code=f"a{i}", name=f"Council {i}"))
        ContractFactory(category=hub.other_category, end_date=TODAY + datetime.timedelta(days=90))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
        if name == "pipeline_notice":
            b"".join(response.streaming_content)
