"""Delivery: HTML and text email with a link, retries on SMTP trouble, the weekly digest."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from notifications import services, tasks
from notifications.models import Delivery, EmailState, Kind, Notification, Preference, SubjectType
from tests.factories import TODAY, ContractFactory


def notice(user, contract, *, kind=Kind.EXPIRY, threshold="t", state=EmailState.PENDING, **kw):
    return Notification.objects.create(
        recipient=user,
        contract=contract,
        subject_type=SubjectType.CONTRACT,
        subject_id=contract.pk,
        kind=kind,
        threshold=threshold,
        due_date=kw.pop("due_date", contract.end_date),
        title=kw.pop("title", f"{contract.reference} expires in 90 days"),
        body="Body text.",
        email_state=state,
        **kw,
    )


@pytest.fixture
def contract(hub):
    return ContractFactory(reference="ITS75", title="Printing services", category=hub.category)


@pytest.fixture
def flaky_smtp(monkeypatch):
    """Make the next `failures` sends raise a temporary SMTP error."""
    state = {"failures": 0, "calls": 0, "error": smtplib.SMTPServerDisconnected("gone away")}
    real_send = EmailMultiAlternatives.send

    def send(self, fail_silently=False):
        state["calls"] += 1
        if state["failures"] > 0:
            state["failures"] -= 1
            raise state["error"]
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    return state


def test_email_has_text_and_html_with_a_link_to_the_contract(hub, contract, settings):
    settings.HUB_BASE_URL = "https://hub.example.gov.uk"
    n = notice(hub.cm, contract)
    assert services.notification_deliver(notification_id=n.pk) == EmailState.SENT
    [message] = mail.outbox
    assert message.to == [hub.cm.profile.work_email]
    assert message.subject == "ITS75 expires in 90 days"
    link = "https://hub.example.gov.uk/contracts/ITS75/"
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and f'href="{link}"' in html
    n.refresh_from_db()
    assert (n.email_state, n.attempts, n.last_error) == (EmailState.SENT, 1, "")
    assert n.sent_at is not None


def test_delivering_twice_sends_once(hub, contract):
    n = notice(hub.cm, contract)
    services.notification_deliver(notification_id=n.pk)
    assert services.notification_deliver(notification_id=n.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_user_without_an_address_is_recorded_not_retried(hub, contract):
    hub.buyer.email = ""
    hub.buyer.save()
    hub.buyer.profile.work_email = ""
    hub.buyer.profile.save()
    n = notice(hub.buyer, contract)
    assert services.notification_deliver(notification_id=n.pk) == EmailState.NO_ADDRESS
    assert mail.outbox == []


def test_temporary_smtp_failure_is_retried_with_backoff_and_logged(
    hub, contract, flaky_smtp, monkeypatch
):
    countdowns = []
    real_countdown = tasks._countdown

    def countdown(retries):
        countdowns.append(real_countdown(retries))
        return countdowns[-1]

    monkeypatch.setattr(tasks, "_countdown", countdown)
    flaky_smtp["failures"] = 2
    n = notice(hub.cm, contract)
    tasks.send_notification.delay(notification_id=n.pk)
    n.refresh_from_db()
    assert n.email_state == EmailState.SENT
    assert n.attempts == 3
    assert len(mail.outbox) == 1
    assert countdowns == [60, 120]  # exponential backoff from HUB_REMINDER_EMAIL_BACKOFF


def test_smtp_failure_that_never_clears_ends_failed_after_the_last_attempt(
    hub, contract, flaky_smtp, settings
):
    settings.HUB_REMINDER_EMAIL_RETRIES = 3
    flaky_smtp["failures"] = 100
    n = notice(hub.cm, contract)
    tasks.send_notification.delay(notification_id=n.pk)
    n.refresh_from_db()
    assert n.email_state == EmailState.FAILED
    assert n.attempts == 4  # the first try and three retries
    assert "SMTPServerDisconnected: gone away" in n.last_error
    assert mail.outbox == []


def test_permanent_smtp_refusal_fails_at_once(hub, contract, flaky_smtp):
    flaky_smtp["failures"] = 1
    flaky_smtp["error"] = smtplib.SMTPDataError(550, b"mailbox unavailable")
    n = notice(hub.cm, contract)
    tasks.send_notification.delay(notification_id=n.pk)
    n.refresh_from_db()
    assert (n.email_state, n.attempts) == (EmailState.FAILED, 1)
    assert flaky_smtp["calls"] == 1


def test_digest_groups_everything_waiting_in_one_email(hub, contract, kpi_due):
    Preference.objects.create(user=hub.cm, delivery=Delivery.DIGEST)
    other = ContractFactory(reference="ITS80", category=hub.category)
    notice(hub.cm, contract, state=EmailState.DIGEST)
    notice(hub.cm, other, state=EmailState.DIGEST, title="ITS80 expires in 30 days")
    notice(
        hub.cm,
        other,
        kind=Kind.KPI_REVIEW,
        threshold="k",
        state=EmailState.DIGEST,
        title="ITS80: KPI review due in 14 days",
        due_date=TODAY + datetime.timedelta(days=14),
    )
    kpi_due({other.pk: TODAY + datetime.timedelta(days=14)})
    notice(hub.cm, contract, threshold="already", state=EmailState.SENT, title="Old news")
    notice(hub.other_cm, other, state=EmailState.DIGEST)
    assert tasks.send_digests.delay().get() == 2
    assert len(mail.outbox) == 2
    [digest] = [m for m in mail.outbox if m.to == [hub.cm.profile.work_email]]
    assert "3 notices" in digest.subject
    text = digest.body
    assert "Contract expiry (2)" in text and "KPI review due (1)" in text
    assert "ITS75 expires in 90 days" in text and "ITS80: KPI review due in 14 days" in text
    assert "Old news" not in text
    assert "/contracts/ITS80/" in digest.alternatives[0][0]
    assert not Notification.objects.filter(email_state=EmailState.DIGEST).exists()
    assert tasks.send_digests.delay().get() == 0
    assert len(mail.outbox) == 2


def test_digest_retries_on_temporary_failure(hub, contract, flaky_smtp):
    notice(hub.cm, contract, state=EmailState.DIGEST)
    flaky_smtp["failures"] = 1
    tasks.send_digests.delay()
    n = Notification.objects.get()
    assert (n.email_state, n.attempts) == (EmailState.SENT, 2)
    assert len(mail.outbox) == 1


def test_scan_task_runs_the_scan_for_a_given_day(hub, django_capture_on_commit_callbacks):
    ContractFactory(category=hub.category, end_date=TODAY + datetime.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        summary = tasks.scan_reminders.delay(today=TODAY.isoformat()).get()
    assert "2 new notice(s)" in summary
    assert len(mail.outbox) == 2


def test_the_digest_leaves_out_reminders_answered_since(hub, contract, kpi_due):
    """A contract extended, an option decided, a review logged after the reminder was held for
    the digest: those are not emailed (the inbox keeps them); what still stands is."""
    from contracts.models import ExtensionOption

    Preference.objects.create(user=hub.cm, delivery=Delivery.DIGEST)
    extended = ContractFactory(reference="ITS81", category=hub.category)
    notice(hub.cm, extended, state=EmailState.DIGEST, title="ITS81 expires in 30 days")
    extended.end_date += datetime.timedelta(days=365)
    extended.save(update_fields=["end_date"])
    option = ExtensionOption.objects.create(
        contract=contract, sequence=1, length_months=12, decide_by=TODAY
    )
    decided = notice(hub.cm, contract, kind=Kind.EXTENSION, state=EmailState.DIGEST,
                     title="ITS75: decide on option 1", threshold="x")  # fmt: skip
    decided.subject_type, decided.subject_id = SubjectType.EXTENSION_OPTION, option.pk
    decided.save(update_fields=["subject_type", "subject_id"])
    option.exercised, option.exercised_at = True, timezone.now()
    option.save(update_fields=["exercised", "exercised_at"])
    reviewed = ContractFactory(reference="ITS82", category=hub.category)
    due = TODAY - datetime.timedelta(days=10)
    notice(hub.cm, reviewed, kind=Kind.KPI_OVERDUE, state=EmailState.DIGEST, due_date=due,
           title="ITS82: KPI review overdue", threshold="k")  # fmt: skip
    kpi_due({reviewed.pk: due + datetime.timedelta(days=91)})  # The review was logged.
    notice(hub.cm, contract, state=EmailState.DIGEST)  # Still true: ITS75 expires.
    assert tasks.send_digests.delay().get() == 1
    [digest] = mail.outbox
    assert "(1 notice)" in digest.subject
    assert "ITS75 expires in 90 days" in digest.body
    for gone in ("ITS81 expires", "decide on option 1", "ITS82: KPI review overdue"):
        assert gone not in digest.body
    states = dict(Notification.objects.values_list("title", "email_state"))
    assert states["ITS81 expires in 30 days"] == EmailState.OUTDATED
    assert states["ITS82: KPI review overdue"] == EmailState.OUTDATED
    assert states["ITS75: decide on option 1"] == EmailState.OUTDATED
    assert states["ITS75 expires in 90 days"] == EmailState.SENT


def test_a_digest_of_only_outdated_reminders_sends_nothing(hub, contract):
    Preference.objects.create(user=hub.cm, delivery=Delivery.DIGEST)
    notice(hub.cm, contract, state=EmailState.DIGEST)
    contract.end_date += datetime.timedelta(days=365)
    contract.save(update_fields=["end_date"])
    tasks.send_digests.delay()
    assert mail.outbox == []
    assert Notification.objects.get().email_state == EmailState.OUTDATED
