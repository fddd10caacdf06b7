"""Inbox, unread badge, preferences, follow button and calendar feed, through the client."""

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from notifications.models import Delivery, Follow, Kind, Notification, Preference, SubjectType
from notifications.services import preference_for
from tests.factories import TODAY, ContractFactory, ExtensionOptionFactory

INBOX = reverse("notifications:inbox")


def notice(user, contract, n=0, **kw):
    return Notification.objects.create(
        recipient=user,
        contract=contract,
        subject_type=SubjectType.CONTRACT,
        subject_id=contract.pk,
        kind=kw.pop("kind", Kind.EXPIRY),
        threshold=f"t{n}",
        title=kw.pop("title", f"{contract.reference} notice {n}"),
        **kw,
    )


@pytest.fixture
def contract(hub):
    return ContractFactory(reference="ITS75", title="Printing services", category=hub.category)


@pytest.fixture
def cm_client(client, hub):
    client.force_login(hub.cm)
    return client


def test_header_shows_the_unread_count(cm_client, hub, contract):
    for n in range(3):
        notice(hub.cm, contract, n)
    notice(hub.cm, contract, 9, read_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))
    notice(hub.other_cm, contract, 10)
    html = cm_client.get(reverse("contracts:index")).content.decode()
    assert '3<span class="visually-hidden"> unread</span></span>' in html


def test_header_shows_no_badge_when_all_read(cm_client):
    html = cm_client.get(INBOX).content.decode()
    assert "unread</span>" not in html and 'id="nav-inbox"' in html


def test_inbox_lists_only_my_notices_newest_first_and_filters_unread(cm_client, hub, contract):
    notice(hub.cm, contract, 1, title="First")
    notice(hub.cm, contract, 2, title="Second", read_at=datetime.datetime.now(datetime.UTC))
    notice(hub.other_cm, contract, 3, title="Not mine")
    html = cm_client.get(INBOX).content.decode()
    assert html.index("Second") < html.index("First")
    assert "Not mine" not in html
    html = cm_client.get(INBOX, {"unread": "1"}).content.decode()
    assert "First" in html and "Second" not in html


def test_inbox_query_count_is_constant(cm_client, hub, contract, django_assert_max_num_queries):
    for n in range(60):
        notice(hub.cm, ContractFactory(category=hub.category), n)
    with django_assert_max_num_queries(8):
        response = cm_client.get(INBOX)
    assert response.content.decode().count("Mark as read</button>") == 25


@pytest.mark.parametrize(
    "query", [{"page": "zz"}, {"page": "-1"}, {"page": "999"}, {"unread": "x"}]
)
def test_inbox_odd_query_strings_never_fail(cm_client, query):
    assert cm_client.get(INBOX, query).status_code == 200


def test_mark_read_and_mark_all_read(cm_client, hub, contract):
    first, second = notice(hub.cm, contract, 1), notice(hub.cm, contract, 2)
    response = cm_client.post(reverse("notifications:read", args=[first.pk]), {"next": INBOX})
    assert response.status_code == 302 and response["Location"] == INBOX
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    cm_client.post(reverse("notifications:read_all"))
    second.refresh_from_db()
    assert second.read_at is not None


def test_mark_read_refuses_someone_elses_notice_and_offsite_next(cm_client, hub, contract):
    theirs = notice(hub.other_cm, contract)
    assert cm_client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    mine = notice(hub.cm, contract, 2)
    response = cm_client.post(
        reverse("notifications:read", args=[mine.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == INBOX


def test_opening_a_notice_marks_it_read_and_goes_to_the_contract(cm_client, hub, contract):
    mine = notice(hub.cm, contract)
    response = cm_client.get(reverse("notifications:open", args=[mine.pk]))
    assert response["Location"] == contract.get_absolute_url()
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_preferences_save_delivery_choice_and_show_errors(cm_client, hub):
    url = reverse("notifications:preferences")
    assert cm_client.post(url, {"delivery": "digest"}).status_code == 302
    assert Preference.objects.get(user=hub.cm).delivery == Delivery.DIGEST
    response = cm_client.post(url, {"delivery": "pigeon"})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert Preference.objects.get(user=hub.cm).delivery == Delivery.DIGEST


def test_follow_and_unfollow_from_the_contract_page(client, hub, contract):
    client.force_login(hub.buyer)
    page = client.get(contract.get_absolute_url()).content.decode()
    assert ">Follow</button>" in page
    url = reverse("notifications:follow", args=[contract.reference])
    assert client.post(url, {"follow": "1"})["Location"] == contract.get_absolute_url()
    assert Follow.objects.filter(user=hub.buyer, contract=contract).exists()
    assert ">Unfollow</button>" in client.get(contract.get_absolute_url()).content.decode()
    client.post(url, {"follow": "0"})
    assert not Follow.objects.filter(user=hub.buyer, contract=contract).exists()


def test_follow_with_htmx_returns_the_button(client, hub, contract):
    client.force_login(hub.buyer)
    response = client.post(
        reverse("notifications:follow", args=[contract.reference]),
        {"follow": "1"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert ">Unfollow</button>" in response.content.decode()


def test_follow_an_unknown_contract_is_404(cm_client):
    response = cm_client.post(reverse("notifications:follow", args=["NOPE"]), {"follow": "1"})
    assert response.status_code == 404


def test_contract_page_query_count_with_follow_card(
    client, hub, contract, django_assert_max_num_queries
):
    client.force_login(hub.buyer)
    client.get(contract.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(contract.get_absolute_url())
    Follow.objects.create(user=hub.buyer, contract=contract)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(contract.get_absolute_url())


def test_calendar_feed_parses_and_holds_the_right_events(client, hub, contract, kpi_due):
    contract.end_date = TODAY + datetime.timedelta(days=200)
    contract.save()
    option = ExtensionOptionFactory(
        contract=contract, sequence=1, decide_by=TODAY + datetime.timedelta(days=100)
    )
    followed = ContractFactory(
        reference="FAC115",
        category=hub.other_category,
        end_date=TODAY + datetime.timedelta(days=50),
    )
    Follow.objects.create(user=hub.cm, contract=followed)
    ContractFactory(reference="FAC999", category=hub.other_category)  # neither managed nor followed
    kpi_due({contract.pk: TODAY + datetime.timedelta(days=20)})
    url = reverse("notifications:calendar", args=[preference_for(hub.cm).calendar_token])
    response = client.get(url)  # no session: the token is the credential
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e.get("summary")): e.decoded("dtstart") for e in calendar.walk("VEVENT")}
    assert events == {
        "ITS75 expires": contract.end_date,
        f"ITS75: decide extension option {option.sequence}": option.decide_by,
        "ITS75: KPI review due": TODAY + datetime.timedelta(days=20),
        "FAC115 expires": followed.end_date,
    }
    uids = [str(e.get("uid")) for e in calendar.walk("VEVENT")]
    assert len(set(uids)) == len(uids)
    assert any("/contracts/ITS75/" in str(e.get("url")) for e in calendar.walk("VEVENT"))


def test_regenerating_the_token_retires_the_old_feed_address(client, hub):
    old = preference_for(hub.cm).calendar_token
    client.force_login(hub.cm)
    client.post(reverse("notifications:calendar_regenerate"))
    new = preference_for(hub.cm).calendar_token
    assert new != old and len(new) >= 32
    client.logout()
    assert client.get(reverse("notifications:calendar", args=[old])).status_code == 404
    assert client.get(reverse("notifications:calendar", args=[new])).status_code == 200


def test_preferences_page_shows_the_feed_address(cm_client, hub):
    html = cm_client.get(reverse("notifications:preferences")).content.decode()
    assert preference_for(hub.cm).calendar_token in html
