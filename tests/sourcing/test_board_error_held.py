"""A move refused on a card that is on the board but shows no buttons (a project on hold, seen
on a stale board in another tab) must still show its error somewhere visible."""

import re

import pytest
from django.urls import reverse

from sourcing import services
from sourcing.models import Stage
from tests.sourcing.factories import make_project

pytestmark = pytest.mark.django_db


def test_refused_move_of_a_held_project_shows_its_error_on_the_board(client, hub):
    project = make_project(hub, stage=Stage.MARKET_ENGAGEMENT)
    services.project_hold(project=project, reason="Budget review.", by=hub.sourcing)
    client.force_login(hub.sourcing)
    response = client.post(
        reverse("sourcing:move", args=[project.pk]),
        {"stage": str(Stage.MARKET_ENGAGEMENT + 1), "board_query": ""},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    message = "A project that is on hold cannot move."
    assert f'id="project-{project.pk}"' in page  # The held card is on the board.
    # Visible text, not only the data-announce attribute on the board's root.
    assert message in page  # The error is produced (in data-announce).
    visible = re.sub(r'data-announce="[^"]*"', "", page)
    assert message in visible
