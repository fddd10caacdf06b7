"""The hub's own pages: open to everyone (the sign-in page, the home page, the health check).
The Django admin is not here: it answers signed-in non-staff with its own sign-in page (a
redirect, not 403); tests/hub/test_admin_access.py covers who gets in."""

from django.urls import reverse

from tests.matrix import ROLES, Case

EVERYONE = frozenset(ROLES)

CASES = [
    Case("home", lambda w: reverse("home"), EVERYONE),
    Case("health check", lambda w: reverse("healthz"), EVERYONE),
    Case("sign-in page", lambda w: reverse("login"), EVERYONE),
]
PUBLIC_INDEX_OPEN: list = [case.name for case in CASES]
