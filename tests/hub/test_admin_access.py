"""Who gets into the Django admin: staff accounts (the demo's hub administrator is a
superuser). A hub role alone does not open it: everyone else is sent to the admin's sign-in
page, as Django does, and no model page answers them."""

import pytest
from django.urls import reverse

from tests.matrix import ROLES

pytestmark = pytest.mark.django_db

PAGES = ("admin:index", "admin:contracts_contract_changelist", "admin:spend_payee_changelist")


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anon"])
def test_only_hub_administrators_get_into_the_admin(client, hub, role):
    user = getattr(hub, role)
    if role == "admin":
        user.is_staff = user.is_superuser = True  # As contracts.demo makes its admin.
        user.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(user)
    for page in PAGES:
        response = client.get(reverse(page))
        if role == "admin":
            assert response.status_code == 200, page
        else:
            assert response.status_code == 302, page
            assert response["Location"].startswith(reverse("admin:login")), page


def test_anonymous_visitors_are_sent_to_sign_in(client, hub):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
