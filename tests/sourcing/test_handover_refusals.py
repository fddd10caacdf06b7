"""A draft refused because the contract manager accepted the item meanwhile says why (the item
shows no textarea to put the error under)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from sourcing import services
from sourcing.models import HandoverItemKind, Stage
from tests.sourcing.factories import make_project

pytestmark = pytest.mark.django_db


def test_a_draft_refused_because_the_item_was_accepted_says_why(client, hub):
    """The contract manager accepts an item while sourcing is still editing it. The save is
    refused (services: 'This item has been accepted and can no longer change.'). The old view
    put that reason in the flash message; now the error is attached to a form the template
    never draws (accepted items show as <pre>, not a textarea), and the message only says
    'not saved: see the error below' - there is nothing below, and the typed text is gone."""
    project = make_project(hub, stage=Stage.CONTRACT_SIGNED)
    item = project.handover.items.get(kind=HandoverItemKind.KPIS)
    services.handover_item_update(item=item, content="Uptime | 99 | %", by=hub.sourcing)
    services.handover_item_accept(item=item, by=hub.cm)
    client.force_login(hub.sourcing)
    response = client.post(
        reverse("sourcing:handover_item", args=[project.pk, item.pk]),
        {"content": "Uptime | 99.5 | %"},
    )
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    page = response.content.decode()
    assert "can no longer change" in shown or "can no longer change" in page, shown
