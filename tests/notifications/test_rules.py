"""Rule arithmetic: which reminder is due on a day, month ends, leap days, the scan hour."""

import datetime

import pytest

from notifications.models import Kind
from notifications.rules import Rules, kpi_kind, latest_reached, local_day, threshold_key
from procurement_hub.celery import app, beat_schedule

D = datetime.date
UTC = datetime.UTC
EXPIRY = Rules().expiry_offsets


def test_default_offsets_are_the_documented_lead_times():
    rules = Rules()
    assert rules.expiry_offsets == (-270, -180, -90, -30, 0)
    assert rules.extension_offsets == (-60, -14)
    assert rules.kpi_offsets == (-14, 0, 7, 30)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2027, 3, 31) - datetime.timedelta(days=271), None),  # nothing yet
        (D(2027, 3, 31) - datetime.timedelta(days=270), -270),  # the day it is reached
        (D(2027, 3, 31) - datetime.timedelta(days=181), -270),
        (D(2027, 3, 31) - datetime.timedelta(days=180), -180),
        (D(2027, 1, 1), -90),  # 89 days before: the 90-day reminder is the latest reached
        (D(2027, 3, 1), -30),
        (D(2027, 3, 30), -30),
        (D(2027, 3, 31), 0),  # on the day
    ],
)
def test_latest_reached_expiry_threshold(today, expected):
    assert latest_reached(D(2027, 3, 31), EXPIRY, today) == expected


def test_thirty_days_before_a_month_end_crosses_months_by_days_not_months():
    # 30 days before 31 March is 1 March. Reminders count days, never "one month before".
    assert latest_reached(D(2027, 3, 31), EXPIRY, D(2027, 3, 1)) == -30
    assert latest_reached(D(2027, 3, 31), EXPIRY, D(2027, 2, 28)) == -90
    # 30 days before 30 April is 31 March.
    assert latest_reached(D(2027, 4, 30), EXPIRY, D(2027, 3, 31)) == -30
    assert latest_reached(D(2027, 4, 30), EXPIRY, D(2027, 3, 30)) == -90


def test_leap_day_end_date():
    end = D(2028, 2, 29)
    # 30 days before 29 Feb 2028 is 30 Jan 2028 (January has 31 days).
    assert latest_reached(end, EXPIRY, D(2028, 1, 30)) == -30
    assert latest_reached(end, EXPIRY, D(2028, 1, 29)) == -90
    # 90 days before: 1 December 2027.
    assert latest_reached(end, EXPIRY, D(2027, 12, 1)) == -90
    assert latest_reached(end, EXPIRY, D(2027, 11, 30)) == -180
    assert latest_reached(end, EXPIRY, end) == 0


def test_thresholds_across_a_leap_day():
    # From 1 March 2028, 30 days back lands on 31 January (29 days of February), not 1 February.
    assert latest_reached(D(2028, 3, 1), EXPIRY, D(2028, 1, 31)) == -30
    assert latest_reached(D(2028, 3, 1), EXPIRY, D(2028, 1, 30)) == -90
    assert latest_reached(D(2027, 3, 1), EXPIRY, D(2027, 1, 30)) == -30


def test_catch_up_sends_only_the_latest_reached_threshold_after_an_outage():
    end = D(2027, 6, 30)
    # The server was down from 200 to 80 days before the end: 180 and 90 were both missed.
    # The next scan finds only -90 to send; -180 is never sent late.
    assert latest_reached(end, EXPIRY, end - datetime.timedelta(days=80)) == -90


def test_kpi_review_kinds_and_escalation():
    rules = Rules()
    due = D(2027, 1, 15)
    assert latest_reached(due, rules.kpi_offsets, D(2027, 1, 1)) == -14
    assert latest_reached(due, rules.kpi_offsets, D(2027, 1, 15)) == 0
    assert latest_reached(due, rules.kpi_offsets, D(2027, 1, 22)) == 7
    assert latest_reached(due, rules.kpi_offsets, D(2027, 2, 14)) == 30
    assert latest_reached(due, rules.kpi_offsets, D(2027, 9, 1)) == 30  # still just the one
    assert kpi_kind(-14, rules) == Kind.KPI_REVIEW
    assert kpi_kind(0, rules) == Kind.KPI_REVIEW
    assert kpi_kind(7, rules) == Kind.KPI_OVERDUE
    assert kpi_kind(30, rules) == Kind.KPI_ESCALATION


def test_threshold_key_names_the_anchor_and_the_lead_time():
    assert threshold_key(D(2027, 3, 31), -90) == "2027-03-31/-90"
    assert threshold_key(D(2027, 3, 31), 7) == "2027-03-31/7"


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        # Summer (BST, UTC+1): 23:30 UTC is already 00:30 the next day in London.
        (datetime.datetime(2026, 6, 30, 23, 30, tzinfo=UTC), D(2026, 7, 1)),
        (datetime.datetime(2026, 6, 30, 22, 59, tzinfo=UTC), D(2026, 6, 30)),
        # Winter (GMT): midnight UTC is midnight in London.
        (datetime.datetime(2026, 12, 31, 23, 59, tzinfo=UTC), D(2026, 12, 31)),
        (datetime.datetime(2027, 1, 1, 0, 0, tzinfo=UTC), D(2027, 1, 1)),
    ],
)
def test_scan_day_is_the_local_calendar_day(settings, moment, day):
    settings.TIME_ZONE = "Europe/London"
    assert local_day(moment) == day


def _scan_schedule(now):
    schedule = beat_schedule()["daily-reminder-scan"]["schedule"]
    schedule.app = app
    schedule.nowfun = lambda: now
    return schedule


def test_daily_scan_fires_at_seven_local_time_in_summer_and_winter():
    assert app.conf.timezone == "Europe/London"
    last_summer = datetime.datetime(2026, 6, 30, 6, 0, tzinfo=UTC)
    # 05:59 UTC in July is 06:59 BST: not yet; 06:00 UTC is 07:00 BST: due.
    assert (
        not _scan_schedule(datetime.datetime(2026, 7, 1, 5, 59, tzinfo=UTC))
        .is_due(last_summer)
        .is_due
    )
    assert (
        _scan_schedule(datetime.datetime(2026, 7, 1, 6, 0, 1, tzinfo=UTC))
        .is_due(last_summer)
        .is_due
    )
    last_winter = datetime.datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
    assert (
        not _scan_schedule(datetime.datetime(2026, 12, 2, 6, 30, tzinfo=UTC))
        .is_due(last_winter)
        .is_due
    )
    assert (
        _scan_schedule(datetime.datetime(2026, 12, 2, 7, 0, 1, tzinfo=UTC))
        .is_due(last_winter)
        .is_due
    )


def test_beat_schedule_follows_settings(settings):
    settings.HUB_REMINDER_SCAN_TIME = (6, 15)
    settings.HUB_DIGEST_WEEKDAY = "friday"
    schedule = beat_schedule()
    scan = schedule["daily-reminder-scan"]
    assert scan["schedule"].hour == {6} and scan["schedule"].minute == {15}
    assert scan["options"]["expires"] < 24 * 3600
    assert schedule["weekly-digest"]["schedule"].day_of_week == {5}
    assert schedule["weekly-digest"]["task"] == "notifications.tasks.send_digests"


def test_kpi_schedules_sync_an_hour_before_the_scan_so_review_dates_are_fresh(settings):
    settings.HUB_REMINDER_SCAN_TIME = (0, 30)
    from kpis.tasks import sync_review_schedules

    sync = beat_schedule()["daily-kpi-schedule-sync"]
    assert sync["task"] == sync_review_schedules.name
    assert sync["schedule"].hour == {23} and sync["schedule"].minute == {30}
