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


def test_a_stage_recorded_as_entered_in_the_future_still_moves_on(hub):
    """Data from before the demo fix (or an import) can hold an entry after today: the move
    takes today as the entry too, instead of failing on the exit-after-entry constraint."""
    import datetime

    from sourcing import services
    from sourcing.models import ProjectStage
    from tests.factories import TODAY

    project = make_project(hub, stage=Stage.STRATEGY_APPROVED)
    ProjectStage.objects.filter(project=project, stage=Stage.STRATEGY_APPROVED).update(
        actual_entry=TODAY + datetime.timedelta(days=60)
    )
    services.project_move(project=project, to_stage=Stage.TENDER_PUBLISHED, by=hub.sourcing)
    row = ProjectStage.objects.get(project=project, stage=Stage.STRATEGY_APPROVED)
    assert (row.actual_entry, row.actual_exit) == (TODAY, TODAY)


def test_a_board_error_shows_under_its_card_only(client, hub):
    """The error box sat over the first three columns, and said it twice."""
    project = make_project(hub, stage=Stage.AWARD_DECISION)  # Not awarded: cannot move on.
    client.force_login(hub.sourcing)
    response = client.post(
        reverse("sourcing:move", args=[project.pk]),
        {"stage": str(Stage.CONTRACT_SIGNED), "board_query": ""},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    message = "Record the award before moving past the award decision."
    assert page.count(message) == 2  # Under the card, and for the status line (data-announce).
    assert 'data-announce="' + message in page
    assert "alert-danger" not in page
