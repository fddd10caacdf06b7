"""Celery tasks: thin wrappers over notifications.services, taking ids, safe to run twice."""

import datetime
import random

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from notifications import services
from notifications.rules import local_day


def _countdown(retries: int) -> int:
    """Exponential backoff from HUB_REMINDER_EMAIL_BACKOFF seconds: 60, 120, 240, …"""
    return settings.HUB_REMINDER_EMAIL_BACKOFF * 2**retries


def _retry(task, exc: Exception, retries: int, **kwargs):
    """Retry later with backoff. Run eagerly (no REDIS_URL) there is no broker to come back
    later, so the next attempt runs at once, in-process."""
    countdown = _countdown(retries)
    if task.request.is_eager:
        return task.apply(kwargs=kwargs, retries=retries + 1).result
    jitter = random.uniform(0, countdown / 4)  # spread retries after a shared outage
    raise task.retry(exc=exc, countdown=countdown + jitter) from exc


@shared_task(acks_late=True, ignore_result=True)
def scan_reminders(today: str | None = None) -> str:
    """The daily scan. Idempotent: every notice is claimed under a unique constraint."""
    day = datetime.date.fromisoformat(today) if today else local_day(timezone.now())
    return str(services.reminders_scan(today=day))


@shared_task(acks_late=True, ignore_result=True)
def deliver_notifications(notification_ids: list[int]) -> None:
    """Fan a chunk of claimed notices out to one delivery task each."""
    for notification_id in notification_ids:
        send_notification.delay(notification_id=notification_id)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def send_notification(self, notification_id: int) -> str:
    retries = self.request.retries or 0
    final = retries >= settings.HUB_REMINDER_EMAIL_RETRIES
    try:
        return services.notification_deliver(notification_id=notification_id, final_attempt=final)
    except services.TRANSIENT_EMAIL_ERRORS as exc:
        return _retry(self, exc, retries, notification_id=notification_id)


@shared_task(acks_late=True, ignore_result=True)
def send_digests() -> int:
    """The weekly digest: one task per user with notices waiting."""
    user_ids = services.digest_user_ids_waiting()
    for user_id in user_ids:
        send_digest.delay(user_id=user_id)
    return len(user_ids)


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def send_digest(self, user_id: int) -> int:
    retries = self.request.retries or 0
    final = retries >= settings.HUB_REMINDER_EMAIL_RETRIES
    try:
        return services.digest_deliver(user_id=user_id, final_attempt=final)
    except services.TRANSIENT_EMAIL_ERRORS as exc:
        return _retry(self, exc, retries, user_id=user_id)
