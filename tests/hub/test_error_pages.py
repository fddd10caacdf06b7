"""403 and 404 pages are hub pages: the header, the reason, and a way home."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import permission_denied

pytestmark = pytest.mark.django_db

NAV = '<nav class="navbar'


def test_buyer_sees_why_a_manager_page_is_forbidden_with_the_navigation(client, hub):
    client.force_login(hub.buyer)
    response = client.get(reverse("spend:import_new"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "Only hub administrators and heads of category may do this." in html
    assert NAV in html and 'href="/spend/"' in html  # The header, with the buyer's links.
    assert f'<a class="btn btn-primary" href="{reverse("home")}">' in html
    assert "403.html" in [t.name for t in response.templates]


def test_forbidden_without_a_message_gives_a_general_reason(hub):
    request = RequestFactory().get("/somewhere/")
    request.user = hub.buyer
    html = permission_denied(request, PermissionDenied()).content.decode()
    assert "Your role in the hub does not allow this." in html and NAV in html


def test_forbidden_message_is_escaped(hub):
    request = RequestFactory().get("/somewhere/")
    request.user = hub.buyer
    html = permission_denied(request, PermissionDenied("<b>no</b>")).content.decode()
    assert "&lt;b&gt;no&lt;/b&gt;" in html and "<b>no</b>" not in html


def test_missing_page_names_the_path_and_offers_sign_in_to_a_visitor(client, db):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "/no-such-page/" in html and NAV in html
    assert reverse("login") in html and f'href="{reverse("home")}"' in html


@pytest.mark.parametrize(
    "url",
    ["/contracts/lookup/?q=a%00b", "/contracts/ITS%0075/", "/vendors/?q=%00", "/spend/?x%00=1"],
)
def test_a_nul_byte_in_the_address_gets_a_400_page_not_a_500(client, hub, url):
    """PostgreSQL refuses NUL in text; the hub refuses it first, on every page, and says why."""
    client.force_login(hub.buyer)
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 400
    assert "holds a NUL character" in html and NAV in html and 'href="/spend/"' in html
    assert "400.html" in [t.name for t in response.templates]


def test_a_suspicious_request_gets_the_400_page_without_its_message(hub, settings):
    from django.core.exceptions import SuspiciousOperation

    from procurement_hub.views import bad_request

    request = RequestFactory().get("/somewhere/")
    request.user = hub.buyer
    html = bad_request(request, SuspiciousOperation("secret detail")).content.decode()
    assert "secret detail" not in html and "Something in the address" in html
