"""A refused handover draft whose item still has its textarea shows its error once, under the
field (the message says to look there); an item accepted meanwhile says why in the message."""

import pytest
from django.urls import reverse

from sourcing.models import HandoverItemKind, Stage
from tests.sourcing.factories import make_project

pytestmark = pytest.mark.django_db


def test_a_too_long_draft_shows_its_error_once(client, hub):
    project = make_project(hub, stage=Stage.CONTRACT_SIGNED)
    item = project.handover.items.get(kind=HandoverItemKind.KPIS)
    client.force_login(hub.sourcing)
    response = client.post(
        reverse("sourcing:handover_item", args=[project.pk, item.pk]),
        {"content": "x" * 20001},
    )
    page = response.content.decode()
    assert page.count("Ensure this value has at most 20000 characters") == 1
