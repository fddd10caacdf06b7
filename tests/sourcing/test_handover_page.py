"""The handover pack's page: a refused draft comes back with what was typed and says which line
is wrong; accepted items keep their line breaks; KPIs say which way is better; the accept
button says why it is not ready. (From a walkthrough in Chromium.)"""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from sourcing import services
from sourcing.models import HandoverItemKind, Stage
from tests.sourcing.factories import award, make_project

pytestmark = pytest.mark.django_db


def _kpi_item(project):
    return project.handover.items.get(kind=HandoverItemKind.KPIS)


def test_too_long_handover_item_gives_feedback(client, hub):
    """Over 20,000 characters: the text is dropped and the page says nothing at all."""
    project = make_project(hub, stage=Stage.CONTRACT_SIGNED)
    item = _kpi_item(project)
    client.force_login(hub.sourcing)
    response = client.post(
        reverse("sourcing:handover_item", args=[project.pk, item.pk]),
        {"content": "Uptime | 99 | %\n" + "y" * 20001},
    )
    item.refresh_from_db()
    assert item.content == ""
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["KPIs proposed not saved: see the error below."]
    page = response.content.decode()
    assert "at most 20000 characters" in page
    assert 'maxlength="20000"' in page


def test_invalid_handover_item_keeps_what_was_typed(client, hub):
    """A KPI line with a non-numeric target is refused; the three typed lines are lost."""
    project = make_project(hub, stage=Stage.CONTRACT_SIGNED)
    item = _kpi_item(project)
    client.force_login(hub.sourcing)
    typed = "On-time delivery | ninety five | %\nComplaints | 2 | count"
    response = client.post(
        reverse("sourcing:handover_item", args=[project.pk, item.pk]),
        {"content": typed},
        follow=True,
    )
    page = response.content.decode()
    assert "Line 1: the KPI target &#x27;ninety five&#x27; is not a number." in page
    textarea = re.search(rf'<textarea[^>]*id="content-{item.pk}"[^>]*>(.*?)</textarea>', page, re.S)
    assert textarea is not None
    assert "Complaints | 2 | count" in textarea.group(1), "the typed content was thrown away"


def test_accepted_multiline_handover_item_keeps_its_line_breaks(client, hub):
    """Accepted items render in <pre class="text-wrap">; Bootstrap's .text-wrap is
    `white-space: normal !important`, so one-per-line KPIs/contacts/documents run together."""
    project = make_project(hub, stage=Stage.CONTRACT_SIGNED)
    item = _kpi_item(project)
    services.handover_item_update(
        item=item, content="On-time delivery | 95 | %\nComplaints | 2 | count", by=hub.sourcing
    )
    services.handover_item_accept(item=item, by=hub.cm)
    client.force_login(hub.cm)
    page = client.get(reverse("sourcing:handover", args=[project.pk])).content.decode()
    pre = re.search(r'<pre class="([^"]*)">On-time delivery', page)
    assert pre is not None
    assert "text-wrap" not in pre.group(1).split(), "newlines collapse: lines shown run together"


def test_a_kpi_line_says_which_way_is_better(hub):
    from kpis.models import ContractKpi

    project = make_project(hub, stage=Stage.CONTRACT_SIGNED)
    item = _kpi_item(project)
    content = "On-time delivery | 95 | %\nComplaints | 2 | count | lower\nUptime | 99 | % | higher"
    services.handover_item_update(item=item, content=content, by=hub.sourcing)
    services.handover_item_accept(item=item, by=hub.cm)
    directions = dict(
        ContractKpi.objects.filter(contract=project.handover.contract).values_list(
            "name", "higher_is_better"
        )
    )
    assert directions == {"On-time delivery": True, "Complaints": False, "Uptime": True}


def test_an_unknown_direction_is_refused_with_its_line(hub):
    from django.core.exceptions import ValidationError

    project = make_project(hub, stage=Stage.CONTRACT_SIGNED)
    item = _kpi_item(project)
    with pytest.raises(ValidationError, match="Line 2: 'fewer': say 'higher' or 'lower'"):
        services.handover_item_update(
            item=item, content="Uptime | 99 | %\nComplaints | 2 | count | fewer", by=hub.sourcing
        )


def test_the_accept_button_says_the_contract_must_be_signed_first(client, hub):
    project = make_project(hub, stage=Stage.AWARD_DECISION)
    award(project, by=hub.sourcing)  # The award opens the handover; the contract is unsigned.
    project.refresh_from_db()
    contents = {
        HandoverItemKind.KPIS: "Uptime | 99 | %",
        HandoverItemKind.CONTACTS: "Ann Smith | Account manager | ann@example.com",
        HandoverItemKind.DOCUMENTS: "Terms | https://example.com/terms.pdf",
    }
    for item in project.handover.items.all():
        content = contents.get(item.kind, "Who may use: all")
        services.handover_item_update(item=item, content=content, by=hub.sourcing)
        services.handover_item_accept(item=item, by=hub.cm)
    client.force_login(hub.cm)
    page = client.get(reverse("sourcing:handover", args=[project.pk])).content.decode()
    button = re.search(r'<button[^>]*id="accept-handover"[^>]*>', page).group(0)
    assert "disabled" in button
    assert "The project must reach “contract signed” first" in page


def test_every_bad_line_is_reported_at_once(hub):
    from django.core.exceptions import ValidationError

    project = make_project(hub, stage=Stage.CONTRACT_SIGNED)
    item = _kpi_item(project)
    content = "Uptime | 99 | %\nSpeed | fast | s\nComplaints | 2 | count | sideways"
    with pytest.raises(ValidationError) as caught:
        services.handover_item_update(item=item, content=content, by=hub.sourcing)
    assert caught.value.message_dict["content"] == [
        "Line 2: the KPI target 'fast' is not a number.",
        "Line 3: 'sideways': say 'higher' or 'lower' (which is better).",
    ]
