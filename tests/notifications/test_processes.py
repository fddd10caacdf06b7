"""Exactly once across processes: concurrent scans, a killed scan, a real Celery worker.

These need PostgreSQL (row locks and data shared between processes); the worker tests also
need Redis (REDIS_TEST_URL, default redis://127.0.0.1:6379/13).
"""

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection, connections

from notifications.models import EmailState, Notification
from notifications.services import reminders_scan
from tests.conftest import require_service
from tests.factories import TODAY, ContractFactory
from tests.notifications.email_backend import in_flight, sent_messages

ROOT = Path(__file__).resolve().parents[2]
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/13")

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _hub_with_due_contracts(hub, count: int) -> list:
    """`count` contracts 30 days from their end: each earns a notice to the contract manager
    and the head of category."""
    return [
        ContractFactory(
            reference=f"DUE{n:04d}",
            category=hub.category,
            end_date=TODAY + datetime.timedelta(days=30),
        )
        for n in range(count)
    ]


def test_two_concurrent_scans_claim_and_send_each_notice_once(hub):
    _hub_with_due_contracts(hub, 60)
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            reminders_scan(today=TODAY)
        except Exception as exc:  # collected and re-raised in the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Notification.objects.count() == 120
    assert len(mail.outbox) == 120
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == 120
    assert set(Notification.objects.values_list("email_state", flat=True)) == {EmailState.SENT}


def _subprocess_env(mail_dir: Path, **extra) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "DATABASE_URL": _database_url(),
        "HUB_TEST_MAIL_DIR": str(mail_dir),
        "REDIS_URL": "",
    }
    env.update(extra)
    return env


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return (
        f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/"
        f"{s['NAME']}"
    )


def _wait_for(predicate, timeout: float, what: str, poll: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(poll)
    raise AssertionError(f"timed out waiting for {what}")


def _kill_mid_send(process: subprocess.Popen, mail_dir: Path, after: int):
    """SIGKILL the process once `after` emails are out, while the next one is in flight."""
    try:
        _wait_for(lambda: len(sent_messages(mail_dir)) >= after, 90, f"{after} emails")
        _wait_for(lambda: in_flight(mail_dir), 30, "an email in flight", poll=0.005)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()


def _assert_each_notice_emailed_once(mail_dir: Path, expected: int):
    messages = sent_messages(mail_dir)
    keys = [(line_value(m, "To"), line_value(m, "Subject")) for m in messages]
    assert len(keys) == expected, f"{len(keys)} emails for {expected} notices"
    assert len(set(keys)) == expected
    assert Notification.objects.count() == expected
    assert set(Notification.objects.values_list("email_state", flat=True)) == {EmailState.SENT}


def line_value(message: str, header: str) -> str:
    for line in message.splitlines():
        if line.startswith(f"{header}: "):
            return line.split(": ", 1)[1]
    return ""


def test_scan_killed_with_sigkill_mid_run_is_completed_exactly_by_the_next(hub, tmp_path):
    _hub_with_due_contracts(hub, 40)
    command = [sys.executable, "manage.py", "send_reminders", "--today", TODAY.isoformat()]
    env = _subprocess_env(tmp_path, HUB_TEST_EMAIL_DELAY="0.3")
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    _kill_mid_send(process, tmp_path, after=10)
    assert process.returncode == -signal.SIGKILL
    assert 10 <= len(sent_messages(tmp_path)) < 80
    for marker in tmp_path.glob(".in-flight-*"):
        marker.unlink()
    subprocess.run(command, cwd=ROOT, env={**env, "HUB_TEST_EMAIL_DELAY": "0"}, check=True)
    _assert_each_notice_emailed_once(tmp_path, 80)


def _redis_reachable() -> bool:
    try:
        import redis

        client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
        client.flushdb()
        return True
    except Exception:
        return False


def _start_worker(mail_dir: Path, **extra) -> subprocess.Popen:
    env = _subprocess_env(mail_dir, REDIS_URL=REDIS_TEST_URL, **extra)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "procurement_hub",
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
    )


def _trigger_scan():
    from celery import Celery

    # Not the current app: shared tasks in later tests must keep resolving to the hub's
    # (eager) app, not to this producer.
    with Celery("probe", broker=REDIS_TEST_URL, set_as_current=False) as producer:
        producer.send_task(
            "notifications.tasks.scan_reminders", kwargs={"today": TODAY.isoformat()}
        )


def _stop(process: subprocess.Popen, sig=signal.SIGTERM):
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.celery_worker
def test_real_celery_worker_sends_each_reminder_exactly_once(hub, tmp_path):
    require_service("Redis", _redis_reachable(), REDIS_TEST_URL)
    _hub_with_due_contracts(hub, 25)
    worker = _start_worker(tmp_path)
    try:
        _trigger_scan()
        _trigger_scan()  # the same scan twice: nothing more
        _wait_for(lambda: len(sent_messages(tmp_path)) >= 50, 90, "50 emails from the worker")
        time.sleep(2)  # anything extra would show up now
    finally:
        _stop(worker)
    _assert_each_notice_emailed_once(tmp_path, 50)


@pytest.mark.celery_worker
def test_worker_killed_mid_scan_then_run_again_keeps_the_count_exact(hub, tmp_path):
    require_service("Redis", _redis_reachable(), REDIS_TEST_URL)
    _hub_with_due_contracts(hub, 40)
    worker = _start_worker(tmp_path, HUB_TEST_EMAIL_DELAY="0.3")
    _trigger_scan()
    _kill_mid_send(worker, tmp_path, after=10)
    assert len(sent_messages(tmp_path)) < 80
    for marker in tmp_path.glob(".in-flight-*"):
        marker.unlink()
    worker = _start_worker(tmp_path)
    try:
        _trigger_scan()
        _wait_for(lambda: len(sent_messages(tmp_path)) >= 80, 90, "the missing emails")
        time.sleep(2)
    finally:
        _stop(worker)
    _assert_each_notice_emailed_once(tmp_path, 80)
