import pytest
from django.urls import reverse

from sourcing.models import Stage
from tests.factories import UserFactory
from tests.sourcing.factories import make_project

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["sourcingproject", "renewaldecision", "handover", "contractsuccession"]
)
def test_admin_pages_open(client, hub, model):
    project = make_project(hub, stage=Stage.MOBILISATION)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse(f"admin:sourcing_{model}_changelist")).status_code == 200
    url = reverse("admin:sourcing_sourcingproject_change", args=[project.pk])
    assert client.get(url).status_code == 200
