"""The Celery app. Broker: REDIS_URL; without it tasks run eagerly in-process (see settings).

Beat runs the KPI review-schedule sync an hour before the daily reminder scan; the scan at
HUB_REMINDER_SCAN_TIME (local time, default 07:00); and the weekly digest on HUB_DIGEST_WEEKDAY
(default monday) at HUB_DIGEST_TIME (default 08:00).
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement_hub.settings")

app = Celery("procurement_hub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

DAY = 24 * 60 * 60


def beat_schedule() -> dict:
    """The periodic tasks, read from settings when Celery configures itself (not at import)."""
    from django.conf import settings

    scan_hour, scan_minute = settings.HUB_REMINDER_SCAN_TIME
    digest_hour, digest_minute = settings.HUB_DIGEST_TIME
    return {
        # Before the scan: review schedules pick up contracts edited outside the KPI services.
        "daily-kpi-schedule-sync": {
            "task": "kpis.tasks.sync_review_schedules",
            "schedule": crontab(hour=(scan_hour - 1) % 24, minute=scan_minute),
            "options": {"expires": DAY // 2},
        },
        "daily-reminder-scan": {
            "task": "notifications.tasks.scan_reminders",
            "schedule": crontab(hour=scan_hour, minute=scan_minute),
            "options": {"expires": DAY // 2},
        },
        "hourly-stopped-spend-imports": {
            "task": "spend.tasks.fail_stopped_imports",
            "schedule": crontab(minute=17),
            "options": {"expires": 3600},
        },
        "weekly-digest": {
            "task": "notifications.tasks.send_digests",
            "schedule": crontab(
                hour=digest_hour, minute=digest_minute, day_of_week=settings.HUB_DIGEST_WEEKDAY[:3]
            ),
            "options": {"expires": DAY},
        },
    }


@app.on_after_configure.connect
def _install_beat_schedule(sender, **kwargs):
    sender.conf.beat_schedule = beat_schedule()
