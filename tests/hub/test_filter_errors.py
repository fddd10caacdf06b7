"""An invalid filter value on the contract index or the project list is shown, and linked to
its field (Django 5.2 marks it aria-invalid and points at "<id>_error"). From a review."""

import pytest

from tests.factories import ContractFactory
from tests.html_index import Index
from tests.hub.test_accessibility import problems

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url, field",
    [
        ("/contracts/?status=bogus", "id_status"),
        ("/sourcing/projects/?stage=99", "id_stage"),
    ],
)
def test_an_invalid_filter_value_is_linked_to_a_shown_error(client, hub, url, field):
    ContractFactory(category=hub.category)
    client.force_login(hub.admin)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    index = Index(html)
    assert index.by_id[field]["attrs"].get("aria-invalid") == "true"  # Django: the field is invalid
    assert problems(html) == []
