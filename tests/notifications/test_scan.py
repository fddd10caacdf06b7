"""The reminder scan: who is told what, exactly once, with catch-up after outages."""

import datetime

import pytest
from django.core import mail

from contracts.models import ContractStatus
from notifications.models import (
    Delivery,
    EmailState,
    Follow,
    Kind,
    Notification,
    Preference,
    ReminderSettings,
)
from notifications.selectors import calendar_events
from notifications.services import reminders_scan
from sourcing import services as sourcing_services
from tests.factories import TODAY, ContractFactory, ExtensionOptionFactory

DAY = datetime.timedelta(days=1)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def told(kind=None, **filters) -> set[str]:
    queryset = Notification.objects.filter(**filters)
    if kind:
        queryset = queryset.filter(kind=kind)
    return set(queryset.values_list("recipient__username", flat=True))


def names(*users) -> set[str]:
    return {u.username for u in users}


@pytest.fixture
def contract(hub):
    return ContractFactory(
        reference="ITS75", category=hub.category, end_date=days(90), sourcing_manager=hub.sourcing
    )


def test_expiry_reminder_goes_to_managers_sourcing_and_head_when_nothing_decided(
    hub, contract, scan
):
    result = scan(days(0))
    assert result.claimed == {Kind.EXPIRY: 3}
    assert told(Kind.EXPIRY) == names(hub.cm, hub.sourcing, hub.head)
    assert Notification.objects.filter(threshold=f"{days(90)}/-90").count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.profile.work_email for u in (hub.cm, hub.sourcing, hub.head)
    )


def test_expiry_reminder_skips_sourcing_and_head_once_a_renewal_is_decided(
    hub, contract, scan, decided
):
    decided.add(contract.pk)
    scan(days(0))
    assert told(Kind.EXPIRY) == names(hub.cm)


def test_cover_is_told_instead_of_an_absent_primary(hub, contract, scan, decided):
    decided.add(contract.pk)
    hub.cm.profile.absent_from = days(-3)
    hub.cm.profile.absent_until = days(10)
    hub.cm.profile.save()
    scan(days(0))
    assert told(Kind.EXPIRY) == names(hub.cover)


def test_primary_is_told_again_once_back(hub, contract, scan, decided):
    decided.add(contract.pk)
    hub.cm.profile.absent_from = days(-30)
    hub.cm.profile.absent_until = days(-1)
    hub.cm.profile.save()
    scan(days(0))
    assert told(Kind.EXPIRY) == names(hub.cm)


def test_secondary_manager_and_followers_are_told(hub, contract, scan, decided):
    decided.add(contract.pk)
    contract.secondary_contract_manager = hub.other_cm
    contract.save()
    Follow.objects.create(user=hub.buyer, contract=contract)
    scan(days(0))
    assert told(Kind.EXPIRY) == names(hub.cm, hub.other_cm, hub.buyer)


def test_contract_own_manager_overrides_the_category(hub, contract, scan, decided):
    decided.add(contract.pk)
    contract.contract_manager = hub.other_cm
    contract.save()
    scan(days(0))
    assert told(Kind.EXPIRY) == names(hub.other_cm)


def test_a_person_in_two_roles_gets_one_notice(hub, contract, scan):
    contract.sourcing_manager = hub.cm
    contract.save()
    Follow.objects.create(user=hub.cm, contract=contract)
    scan(days(0))
    assert Notification.objects.filter(recipient=hub.cm).count() == 1


def test_the_same_scan_twice_sends_nothing_new(hub, contract, scan):
    first = scan(days(0))
    second = scan(days(0))
    assert first.total == 3 and second.total == 0
    assert len(mail.outbox) == 3
    assert Notification.objects.count() == 3


def test_daily_scans_send_each_threshold_once(hub, scan, decided):
    contract = ContractFactory(category=hub.category, end_date=days(100))
    decided.add(contract.pk)
    for n in range(0, 101):
        scan(days(n))
    sent = list(
        Notification.objects.filter(kind=Kind.EXPIRY)
        .order_by("pk")
        .values_list("threshold", flat=True)
    )
    # A contract 100 days from its end on the first scan: the 180-day threshold was the latest
    # reached then (catch-up), then 90, 30 and the day itself.
    end = days(100).isoformat()
    assert sent == [f"{end}/-180", f"{end}/-90", f"{end}/-30", f"{end}/0"]
    assert len(mail.outbox) == 4


def test_catch_up_after_an_outage_sends_one_reminder_not_a_burst(hub, scan, decided):
    contract = ContractFactory(category=hub.category, end_date=days(300))
    decided.add(contract.pk)
    scan(days(30))  # 270 days before: the 270 reminder
    # Down for 200 days: 180 and 90 both passed. The next scan sends the 90 only.
    scan(days(230))
    sent = list(Notification.objects.order_by("pk").values_list("threshold", flat=True))
    assert sent == [f"{days(300)}/-270", f"{days(300)}/-90"]


def test_a_moved_end_date_earns_fresh_reminders(hub, contract, scan, decided):
    decided.add(contract.pk)
    scan(days(0))
    contract.end_date = days(120)
    contract.save()
    scan(days(0))  # now 120 days before: the 180 threshold of the new end date
    assert set(Notification.objects.values_list("threshold", flat=True)) == {
        f"{days(90)}/-90",
        f"{days(120)}/-180",
    }


def test_nothing_for_contracts_far_from_their_end_or_not_active(hub, scan):
    ContractFactory(category=hub.category, end_date=days(400))
    ContractFactory(category=hub.category, end_date=days(10), status=ContractStatus.TERMINATED)
    ContractFactory(category=hub.category, end_date=days(10), status=ContractStatus.PLANNED)
    assert scan(days(0)).total == 0


def test_contract_expires_the_day_after_its_end_date_and_followers_are_told(hub, scan):
    contract = ContractFactory(category=hub.category, end_date=days(-1))
    still_running = ContractFactory(category=hub.category, end_date=days(0))
    Follow.objects.create(user=hub.buyer, contract=contract)
    result = scan(days(0))
    contract.refresh_from_db()
    still_running.refresh_from_db()
    assert contract.status == ContractStatus.EXPIRED
    assert still_running.status == ContractStatus.ACTIVE
    assert result.expired == 1
    assert told(Kind.EXPIRED) == names(hub.buyer)
    assert any("has expired" in m.subject for m in mail.outbox)
    assert scan(days(0)).expired == 0
    assert Notification.objects.filter(kind=Kind.EXPIRED).count() == 1


def test_extension_reminders_at_60_and_14_days_unless_decided(hub, scan):
    contract = ContractFactory(category=hub.category, end_date=days(300))
    option = ExtensionOptionFactory(contract=contract, sequence=1, decide_by=days(60))
    ExtensionOptionFactory(
        contract=contract,
        sequence=2,
        decide_by=days(14),
        exercised=True,
        exercised_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
    )
    scan(days(0))
    scan(days(46))
    scan(days(47))
    notices = Notification.objects.filter(kind=Kind.EXTENSION)
    assert list(notices.order_by("pk").values_list("threshold", flat=True)) == [
        f"{days(60)}/-60",
        f"{days(60)}/-14",
    ]
    assert set(notices.values_list("subject_id", flat=True)) == {option.pk}
    assert told(Kind.EXTENSION) == names(hub.cm)


@pytest.mark.parametrize("decide", ["reprocure", "let_expire"])
def test_no_extension_reminder_once_the_term_is_decided_another_way(hub, scan, decide):
    """Found by review: after "re-procure" or "let expire" the option cannot be taken for this
    term, yet its manager was still asked to decide it, by email and in the calendar feed."""
    contract = ContractFactory(category=hub.category, end_date=days(300), max_end_date=days(700))
    ExtensionOptionFactory(contract=contract, sequence=1, decide_by=days(60))
    decision = {"rationale": "Market moved", "approved_by": hub.head, "by": hub.cm}
    if decide == "reprocure":
        sourcing_services.contract_reprocure(contract=contract, owner=hub.sourcing, **decision)
    else:
        sourcing_services.contract_let_expire(contract=contract, **decision)
    scan(days(0))
    scan(days(46))
    assert not Notification.objects.filter(kind=Kind.EXTENSION).exists()
    assert [e.summary for e in calendar_events(hub.cm, TODAY)] == [f"{contract.reference} expires"]


def test_kpi_review_reminders_and_escalation_to_head(hub, scan, kpi_due):
    contract = ContractFactory(category=hub.category, end_date=days(800))
    kpi_due({contract.pk: days(14)})
    for n in (0, 13, 14, 20, 21, 43, 44, 60):
        scan(days(n))
    rows = list(
        Notification.objects.order_by("pk").values_list("kind", "threshold", "recipient__username")
    )
    due = days(14).isoformat()
    assert rows[:3] == [
        (Kind.KPI_REVIEW, f"{due}/-14", hub.cm.username),
        (Kind.KPI_REVIEW, f"{due}/0", hub.cm.username),
        (Kind.KPI_OVERDUE, f"{due}/7", hub.cm.username),
    ]
    assert set(rows[3:]) == {
        (Kind.KPI_ESCALATION, f"{due}/30", hub.cm.username),
        (Kind.KPI_ESCALATION, f"{due}/30", hub.head.username),
    }


def test_a_long_overdue_review_is_escalated_once_after_an_outage(hub, scan, kpi_due):
    contract = ContractFactory(category=hub.category, end_date=days(800))
    kpi_due({contract.pk: days(-200)})
    scan(days(0))
    scan(days(1))
    assert told(Kind.KPI_ESCALATION) == names(hub.cm, hub.head)
    assert Notification.objects.count() == 2


def test_lead_times_edited_by_a_hub_administrator_apply_without_code(hub, contract, scan):
    ReminderSettings.objects.create(pk=1, expiry_days="100, 7")
    scan(days(0))
    assert set(Notification.objects.values_list("threshold", flat=True)) == {f"{days(90)}/-100"}


def test_lead_times_default_from_settings(hub, contract, scan, settings):
    settings.HUB_REMINDER_EXPIRY_DAYS = (95,)
    scan(days(0))
    assert set(Notification.objects.values_list("threshold", flat=True)) == {f"{days(90)}/-95"}


def test_dry_run_changes_nothing_and_sends_nothing(hub, contract, scan):
    expired = ContractFactory(category=hub.category, end_date=days(-5))
    result = scan(days(0), dry_run=True)
    # 3 for the contract ending today, 2 for the one that ended 5 days ago unannounced (its
    # contract manager and head: no renewal decision recorded, no sourcing manager).
    assert result.dry_run and result.total == 5 and result.expired == 1
    assert Notification.objects.count() == 0
    assert mail.outbox == []
    expired.refresh_from_db()
    assert expired.status == ContractStatus.ACTIVE


def test_digest_users_are_not_emailed_at_once(hub, contract, scan):
    Preference.objects.create(user=hub.sourcing, delivery=Delivery.DIGEST)
    scan(days(0))
    assert Notification.objects.get(recipient=hub.sourcing).email_state == EmailState.DIGEST
    assert len(mail.outbox) == 2


def test_a_scan_killed_half_way_is_completed_by_the_next_without_duplicates(
    hub, scan, monkeypatch, decided
):
    from notifications import services

    contracts = [ContractFactory(category=hub.category, end_date=days(30)) for _ in range(5)]
    decided.update(c.pk for c in contracts)  # one recipient each: the contract manager
    monkeypatch.setattr(services, "SCAN_CHUNK", 2)
    calls = {"n": 0}
    real_claim = services._claim

    def dying_claim(ctx, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("worker killed")
        real_claim(ctx, rows)

    monkeypatch.setattr(services, "_claim", dying_claim)
    with pytest.raises(KeyboardInterrupt):
        scan(days(0))
    assert Notification.objects.count() == 2  # the first chunk was claimed and committed
    monkeypatch.setattr(services, "_claim", real_claim)
    scan(days(0))
    assert Notification.objects.count() == len(contracts)
    assert len(mail.outbox) == len(contracts)
    assert set(Notification.objects.values_list("email_state", flat=True)) == {EmailState.SENT}


def test_unsent_notices_from_a_crashed_run_are_queued_again(hub, contract, scan):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("notifications.services._enqueue_delivery", lambda ids: None)
        scan(days(0))  # claimed, but the process died before handing them to a worker
    assert mail.outbox == []
    result = scan(days(0))
    assert result.total == 0 and result.requeued == 3
    assert len(mail.outbox) == 3


def test_query_count_is_constant_when_nothing_is_due(
    hub, django_assert_num_queries, django_assert_max_num_queries
):
    for n in range(30):
        ContractFactory(category=hub.category, end_date=days(400 + n))
    with django_assert_max_num_queries(12) as captured:
        reminders_scan(today=TODAY)
    baseline = len(captured.captured_queries)
    for n in range(30):
        ContractFactory(category=hub.category, end_date=days(500 + n))
    with django_assert_num_queries(baseline):
        reminders_scan(today=TODAY)


def test_query_count_does_not_grow_with_due_contracts(hub, django_assert_max_num_queries):
    for _ in range(40):
        ContractFactory(category=hub.category, end_date=days(30))
    with django_assert_max_num_queries(20):
        reminders_scan(today=TODAY, enqueue=False)
    assert Notification.objects.count() == 80  # contract manager and head of category each


def test_send_reminders_command(hub, contract, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("send_reminders", "--today", days(0).isoformat(), "--dry-run", stdout=out)
    assert "would expire 0 contract(s) and record 3 new notice(s)" in out.getvalue()
    assert Notification.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--today", days(0).isoformat(), stdout=out)
    assert Notification.objects.count() == 3
    assert len(mail.outbox) == 3


def test_send_reminders_rejects_a_bad_date():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="not a date"):
        call_command("send_reminders", "--today", "31/01/2027")


def test_someone_who_follows_after_a_reminder_gets_the_next_one_not_the_stale_one(
    hub, contract, scan, decided
):
    decided.add(contract.pk)
    scan(days(0))  # the 90-day reminder, to the contract manager
    Follow.objects.create(user=hub.buyer, contract=contract)
    scan(days(1))
    assert told(recipient=hub.buyer) == set()
    scan(days(60))  # 30 days before the end
    assert set(
        Notification.objects.filter(recipient=hub.buyer).values_list("threshold", flat=True)
    ) == {f"{days(90)}/-30"}


def test_daily_scan_looks_only_at_subjects_with_a_new_threshold(
    hub, scan, decided, django_assert_max_num_queries
):
    for _ in range(30):
        decided.add(ContractFactory(category=hub.category, end_date=days(30)).pk)
    scan(days(0))
    with django_assert_max_num_queries(12):  # as few as on a hub with nothing due
        assert scan(days(1)).total == 0
