"""Reminder demo data: follows, preferences, and this morning's reminder scan with an inbox.

Runs after contracts, KPIs and sourcing (procurement_hub/demo.py). Buyers follow a few running
contracts, some people prefer the weekly digest, and the scan for `ctx.today` claims the
reminders due (expiry, extension decisions, KPI reviews). The demo records those as already
emailed this morning, with some read, so inboxes and badges look lived-in; run
`manage.py send_reminders` afterwards and nothing is sent twice.
"""

import time

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from categories.models import Role
from contracts.models import Contract, ContractStatus
from notifications.models import Delivery, EmailState, Follow, Notification, Preference
from notifications.services import reminders_scan

User = get_user_model()


def seed(ctx) -> None:
    started = time.monotonic()
    users = list(User.objects.filter(profile__isnull=False).values_list("pk", "profile__role"))
    running = list(
        Contract.objects.filter(status=ContractStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    follows = []
    for user_id, role in users:
        if role in (Role.BUYER, Role.CATEGORY_OFFICER) and running:
            for contract_id in ctx.rng.sample(running, min(len(running), ctx.rng.randint(2, 8))):
                follows.append(Follow(user_id=user_id, contract_id=contract_id))
    Follow.objects.bulk_create(follows, ignore_conflicts=True, batch_size=2000)
    Preference.objects.bulk_create(
        [
            Preference(
                user_id=user_id,
                delivery=Delivery.DIGEST if ctx.rng.random() < 0.25 else Delivery.IMMEDIATE,
            )
            for user_id, _role in users
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
    result = reminders_scan(today=ctx.today, enqueue=False)
    now = timezone.now()
    Notification.objects.filter(email_state=EmailState.PENDING).update(
        email_state=EmailState.SENT, sent_at=now, attempts=1
    )
    ids = list(Notification.objects.values_list("pk", flat=True))
    read = [pk for pk in ids if ctx.rng.random() < 0.4]
    Notification.objects.filter(Q(pk__in=read)).update(read_at=now)
    ctx.log(
        f"  {len(follows)} follows, {len(users)} preferences; scan of {ctx.today}: "
        f"{result.expired} expired, {result.total} reminders "
        f"({', '.join(f'{k} {v}' for k, v in sorted(result.claimed.items())) or 'none'}) "
        f"in {time.monotonic() - started:.1f} s"
    )
