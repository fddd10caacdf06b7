"""Every page the permission matrix knows, as a role that may see it: each form control has an
accessible name, and every aria-describedby / aria-labelledby / aria-controls reference names an
element of the page (Django links a field to "<id>_error" and "<id>_helptext"; a template that
prints them without those ids leaves screen readers nothing to read). WCAG 1.3.1, 3.3.1, 4.1.2.
From an axe-core audit; axe itself needs a browser, these checks read the HTML."""

import pytest
from django.urls import reverse

from tests.factories import ContractFactory, VendorFactory
from tests.html_index import Index
from tests.test_permission_matrix import CASES, World

NAMED_BY_ITSELF = {"hidden", "submit", "button", "reset", "image"}
DOWNLOADS = {
    "text/csv",
    "text/plain",
    "application/json",
    "text/calendar",
    "application/pdf",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
REFERENCES = ("aria-describedby", "aria-labelledby", "aria-controls")


@pytest.fixture
def world(hub):
    return World(hub)


def problems(html: str) -> list[str]:
    index = Index(html)
    found = []
    inside_label = {id(el) for label in index.find("label") for el in _walk(label)}
    for el in index.elements:
        attrs = el["attrs"]
        control = el["tag"] in {"select", "textarea"} or (
            el["tag"] == "input" and attrs.get("type", "text") not in NAMED_BY_ITSELF
        )
        named = (
            attrs.get("id") in index.label_for
            or attrs.get("aria-label")
            or attrs.get("aria-labelledby")
            or attrs.get("title")
            or id(el) in inside_label
        )
        if control and not named:
            found.append(f"<{el['tag']} name={attrs.get('name')!r}> has no label")
        for name in REFERENCES:
            for ref in attrs.get(name, "").split():
                if ref not in index.by_id:
                    found.append(f"<{el['tag']} id={attrs.get('id')!r}> {name}={ref!r}: no such id")
    return found


def _walk(el):
    for child in el["children"]:
        yield child
        yield from _walk(child)


def _role(case) -> str:
    return "admin" if "admin" in case.allowed else sorted(case.allowed)[0]


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.method == "get" and c.allowed], ids=lambda c: c.name
)
def test_every_control_is_named_and_every_reference_resolves(client, world, case):
    user = world.user(_role(case))
    if user is not None:
        client.force_login(user)
    response = client.get(case.url(world))
    content_type = response.get("Content-Type", "")
    if "html" not in content_type:  # A download or a feed: no controls.
        assert response.status_code == 200 and content_type.split(";")[0] in DOWNLOADS
        return
    assert problems(response.content.decode()) == []


def test_a_field_error_is_linked_to_its_field(client, hub):
    vendor = VendorFactory()
    contract = ContractFactory(reference="A11Y1", category=hub.category, vendors=[vendor])
    client.force_login(hub.cm)
    response = client.post(
        reverse("kpis:review_create", args=[contract.reference]),
        {"vendor": vendor.pk, "period_start": "2026-02-01", "period_end": "2026-01-01",
         "actions-TOTAL_FORMS": "1", "actions-INITIAL_FORMS": "0",
         "actions-0-description": "Fix it"},
    )  # fmt: skip
    html = response.content.decode()
    assert problems(html) == []
    index = Index(html)
    field = index.by_id["id_period_end"]
    assert field["attrs"].get("aria-invalid") == "true"
    described = " ".join(index.by_id[r]["text"] for r in field["attrs"]["aria-describedby"].split())
    assert "end on or after its start" in described


def test_a_sorted_column_says_which_way(client, hub):
    ContractFactory(category=hub.category)
    client.force_login(hub.buyer)
    index = Index(client.get("/contracts/?sort=-awarded_value").content.decode())
    sorted_headers = [th for th in index.find("th") if th["attrs"].get("aria-sort")]
    assert [(th["text"].strip(), th["attrs"]["aria-sort"]) for th in sorted_headers] == [
        ("Value", "descending")
    ]


def test_list_counts_are_announced_outside_the_swapped_region(client, hub):
    """The whole results region was aria-live: a filter change read the table out again."""
    client.force_login(hub.admin)
    for url in ("/contracts/", "/vendors/", "/sourcing/projects/"):
        index = Index(client.get(url).content.decode())
        results = index.by_id["results"]
        assert "aria-live" not in results["attrs"], url
        assert index.find(role="status"), url
        assert "result-count" in index.by_id, url


def test_every_chart_has_its_figures_as_a_table():
    """Each template drawing a <canvas> chart also draws its figures (chart_table or
    chart_datasets, or a table of its own beside it)."""
    from pathlib import Path

    from django.conf import settings

    own_tables = {"kpis/vendor_scorecard.html", "sourcing/forward_plan.html"}
    root = Path(settings.BASE_DIR) / "templates"
    charted = [p for p in root.rglob("*.html") if "<canvas" in p.read_text()]
    assert len(charted) >= 6
    for path in charted:
        text, name = path.read_text(), str(path.relative_to(root))
        assert name in own_tables or "{% chart_table " in text or "{% chart_datasets " in text, name
