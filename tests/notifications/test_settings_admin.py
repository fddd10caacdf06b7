"""Reminder settings: environment defaults that fail loudly, and lead times in Django admin."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from notifications.models import ReminderSettings
from notifications.selectors import reminder_rules

ROOT = Path(__file__).resolve().parents[2]


def _settings_value(**environ) -> subprocess.CompletedProcess:
    clean = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "DEBUG": "true", **environ}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='procurement_hub.settings'; "
        "from django.conf import settings; "
        "print(settings.HUB_REMINDER_SCAN_TIME, settings.HUB_DIGEST_WEEKDAY, "
        "settings.HUB_REMINDER_EXPIRY_DAYS, settings.HUB_BASE_URL)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_defaults():
    result = _settings_value()
    assert result.stdout.strip() == "(7, 0) monday (270, 180, 90, 30, 0) http://localhost:8000"


def test_environment_overrides():
    result = _settings_value(
        HUB_REMINDER_SCAN_TIME="06:30",
        HUB_DIGEST_WEEKDAY="Friday",
        HUB_REMINDER_EXPIRY_DAYS="120, 60,0",
        HUB_BASE_URL="https://hub.example.gov.uk/",
    )
    assert result.stdout.strip() == "(6, 30) friday (120, 60, 0) https://hub.example.gov.uk"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HUB_REMINDER_SCAN_TIME", "7am"),
        ("HUB_REMINDER_SCAN_TIME", "25:00"),
        ("HUB_DIGEST_WEEKDAY", "someday"),
        ("HUB_REMINDER_EXPIRY_DAYS", "90,thirty"),
        ("HUB_REMINDER_KPI_ESCALATE_DAYS", "0"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(name, value):
    result = _settings_value(**{name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_hub_administrator_edits_lead_times_in_admin(client, hub):
    hub.admin.is_staff = True
    hub.admin.is_superuser = True
    hub.admin.save()
    client.force_login(hub.admin)
    url = reverse("admin:notifications_remindersettings_add")
    response = client.post(url, {"expiry_days": "120, 60, 0", "kpi_escalate_days": "21"})
    assert response.status_code == 302, response.content.decode()[:2000]
    rules = reminder_rules()
    assert rules.expiry_days == (120, 60, 0)
    assert rules.kpi_escalate_days == 21
    assert rules.extension_days == (60, 14)  # blank: the default from settings


def test_admin_refuses_lead_times_that_are_not_days(client, hub):
    hub.admin.is_staff = True
    hub.admin.is_superuser = True
    hub.admin.save()
    client.force_login(hub.admin)
    response = client.post(
        reverse("admin:notifications_remindersettings_add"), {"expiry_days": "90, soon"}
    )
    assert response.status_code == 200
    assert "is not a whole number of days" in response.content.decode()
    assert not ReminderSettings.objects.exists()
