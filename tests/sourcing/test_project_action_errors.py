"""A project move or hold refused for a long note says so (it said "Choose a stage." and "Give a
reason."), and the inputs hold the browser to the limit first."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from sourcing.models import Stage
from tests.sourcing.factories import make_project

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_move_with_long_note_does_not_say_choose_a_stage(client, hub):
    project = make_project(hub)
    client.force_login(hub.sourcing)
    response = client.post(
        reverse("sourcing:move", args=[project.pk]),
        {"stage": str(Stage.MARKET_ENGAGEMENT), "note": "n" * 2001},
    )
    project.refresh_from_db()
    assert project.stage == Stage.NEED_IDENTIFIED
    assert _messages(response) == [
        "Note: Ensure this value has at most 2000 characters (it has 2001)."
    ]


def test_hold_with_long_reason_does_not_say_give_a_reason(client, hub):
    project = make_project(hub)
    client.force_login(hub.sourcing)
    response = client.post(
        reverse("sourcing:status", args=[project.pk, "hold"]), {"reason": "r" * 2001}
    )
    assert _messages(response) == [
        "Reason: Ensure this value has at most 2000 characters (it has 2001)."
    ]


def test_the_inputs_stop_at_the_limit(client, hub):
    project = make_project(hub)
    client.force_login(hub.sourcing)
    page = client.get(project.get_absolute_url()).content.decode()
    assert page.count('maxlength="2000"') == 3  # Move note, hold and cancel reasons.
