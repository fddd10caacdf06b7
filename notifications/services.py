"""Writes for reminders and notices: follows, change notices, the reminder scan and delivery.

Exactly once: every notice is a Notification row, inserted under the unique constraint
(subject, kind, threshold, recipient) *before* anything is emailed. A scan that runs twice,
two scans at once or a scan after a crash insert nothing new for what was already claimed.
Delivery then locks the row, emails it and marks it sent in the same transaction, so a
retried or duplicated delivery task finds it sent and does nothing.
"""

import datetime
import logging
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from smtplib import SMTPException, SMTPResponseException
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Case, CharField, Exists, OuterRef, Value, When
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.utils import timezone

from categories.models import StaffProfile, absent_on_q
from contracts.models import Contract, ContractStatus, ExtensionOption
from notifications import selectors
from notifications.models import (
    EmailState,
    Follow,
    Kind,
    Notification,
    Preference,
    SubjectType,
    new_calendar_token,
)
from notifications.rules import (
    Rules,
    describe_days,
    furthest_anchor,
    kpi_kind,
    latest_reached,
    threshold_key,
)
from procurement_hub.formatting import day, long_day

logger = logging.getLogger(__name__)
User = get_user_model()

# Transient email failures: retried with backoff. 5xx replies are permanent and fail at once.
TRANSIENT_EMAIL_ERRORS = (SMTPException, ConnectionError, TimeoutError)
SCAN_CHUNK = 5000
EXPIRY_CATCH_UP_DAYS = 30  # An outage over a contract's end date: see _ended_unannounced_rows.
FAN_OUT_CHUNK = 500


# --- Follows and change notices -------------------------------------------------------------


def follow_set(*, user, contract: Contract, following: bool) -> bool:
    """Follow (or stop following) a contract. Returns whether the user now follows it."""
    if following:
        Follow.objects.get_or_create(user=user, contract=contract)
    else:
        Follow.objects.filter(user=user, contract=contract).delete()
    return following


@transaction.atomic
def move_followers(*, from_contract: Contract, to_contract: Contract) -> int:
    """At handover to a successor contract: its followers now follow the new contract instead.

    Returns how many followers were moved. Safe to call twice.
    """
    user_ids = list(Follow.objects.filter(contract=from_contract).values_list("user_id", flat=True))
    Follow.objects.bulk_create(
        [Follow(user_id=user_id, contract=to_contract) for user_id in user_ids],
        ignore_conflicts=True,
    )
    Follow.objects.filter(contract=from_contract).delete()
    return len(user_ids)


def notify_contract_change(
    contract: Contract, message: str, *, by=None, key: str | None = None
) -> int:
    """Tell the contract's followers (except `by`, who made the change) about a change.

    `key` makes the notice idempotent (e.g. "handover-17"): calling again with the same key
    tells nobody twice. Without a key every call is a new notice. Emails go out after commit.
    Returns how many people were told.
    """
    threshold = f"change/{key or uuid.uuid4().hex}"[:60]
    recipients = selectors.follower_ids([contract.pk]).get(contract.pk, [])
    recipients = [r for r in recipients if by is None or r != by.pk]
    claim = uuid.uuid4().hex
    digest_users = selectors.digest_user_ids()
    rows = [
        (
            user_id,
            contract.pk,
            SubjectType.CONTRACT,
            contract.pk,
            Kind.CHANGE,
            threshold,
            timezone.localdate(),
            f"{contract.reference} changed: {message}"[:300],
            message,
            EmailState.DIGEST if user_id in digest_users else EmailState.PENDING,
            claim,
        )
        for user_id in recipients
    ]
    if not rows:
        return 0
    with transaction.atomic():
        inserted = _insert_claims(rows, claim=claim)
        _enqueue_delivery(_pending(inserted))
    return len(inserted)


# --- Inbox and preferences ------------------------------------------------------------------


def notification_mark_read(*, user, notification_id: int) -> bool:
    return bool(
        Notification.objects.filter(
            pk=notification_id, recipient=user, read_at__isnull=True
        ).update(read_at=timezone.now())
    )


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preference_for(user) -> Preference:
    """The user's preference, created with the defaults (and a calendar secret) on first use:
    a service, since it may write."""
    preference, _created = Preference.objects.get_or_create(user=user)
    return preference


def preference_set_delivery(*, user, delivery: str) -> Preference:
    preference = preference_for(user)
    preference.delivery = delivery
    preference.full_clean()
    preference.save(update_fields=["delivery"])
    return preference


def calendar_token_regenerate(*, user) -> Preference:
    """A new secret feed address; the old one stops working at once."""
    preference = preference_for(user)
    preference.calendar_token = new_calendar_token()
    preference.save(update_fields=["calendar_token"])
    return preference


# --- The reminder scan ----------------------------------------------------------------------


@dataclass
class ScanResult:
    today: datetime.date
    dry_run: bool = False
    expired: int = 0
    claimed: dict[str, int] = field(default_factory=dict)
    requeued: int = 0

    @property
    def total(self) -> int:
        return sum(self.claimed.values())

    def __str__(self) -> str:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.claimed.items()))
        if self.dry_run:
            return (
                f"{self.today} (dry run): would expire {self.expired} contract(s) and record "
                f"{self.total} new notice(s) ({kinds or 'none'}); nothing was changed or sent."
            )
        return (
            f"{self.today}: {self.expired} contract(s) expired; {self.total} new notice(s) "
            f"recorded and handed to delivery ({kinds or 'none'}); {self.requeued} unsent "
            f"notice(s) from earlier runs handed over again."
        )


PEOPLE_FIELDS = (
    "pk",
    "reference",
    "title",
    "end_date",
    "contract_manager_id",
    "secondary_contract_manager_id",
    "sourcing_manager_id",
    "category__primary_contract_manager_id",
    "category__secondary_contract_manager_id",
    "category__cover_contract_manager_id",
    "category__pillar__head_id",
)


class ContractPeople(NamedTuple):
    """Who is responsible for a contract, from one values_list() row (a tuple: cheap to make
    by the hundred thousand)."""

    pk: int
    reference: str
    title: str
    end_date: datetime.date | None
    contract_manager: int | None
    secondary: int | None
    sourcing_manager: int | None
    category_primary: int | None
    category_secondary: int | None
    category_cover: int | None
    head: int | None

    def managers(self, absent: set[int]) -> list[int]:
        """The primary contract manager (or the cover while the primary is absent), then the
        secondary. An absent primary with no cover is still told, so someone is."""
        primary = self.contract_manager or self.category_primary
        if primary in absent and self.category_cover:
            primary = self.category_cover
        secondary = self.secondary or self.category_secondary
        return _unique([primary, secondary])


def _unique(user_ids: Iterable[int | None]) -> list[int]:
    seen: list[int] = []
    for user_id in user_ids:
        if user_id and user_id not in seen:
            seen.append(user_id)
    return seen


def absent_user_ids(today: datetime.date) -> set[int]:
    return set(User.objects.filter(absent_on_q(today)).values_list("pk", flat=True))


def reminders_scan(
    *, today: datetime.date, dry_run: bool = False, enqueue: bool = True
) -> ScanResult:
    """Expire contracts past their end date, then claim every reminder due on `today`.

    Runs in chunks, each in its own transaction, so a scan killed half way keeps what it
    claimed; its unsent notices are queued again by the next scan. With dry_run nothing is
    kept and nothing is sent: the counts say what would happen.
    """
    result = ScanResult(today=today, dry_run=dry_run)
    if dry_run:
        with transaction.atomic():
            _scan(result, enqueue=False)
            transaction.set_rollback(True)
        return result
    if enqueue:
        with transaction.atomic():
            stale = _pending_ids(Notification.objects.all())
            result.requeued = len(stale)
            _enqueue_delivery(stale)
    _scan(result, enqueue=enqueue)
    return result


def _scan(result: ScanResult, *, enqueue: bool) -> None:
    today = result.today
    rules = selectors.reminder_rules()
    ctx = _ScanContext(
        today=today,
        rules=rules,
        absent=absent_user_ids(today),
        digest_users=selectors.digest_user_ids(),
        claim=uuid.uuid4().hex,
        enqueue=enqueue,
    )
    result.expired = _expire_contracts(ctx)
    for chunk in _expiry_chunks(ctx):
        _claim(ctx, chunk)
    for chunk in _extension_chunks(ctx):
        _claim(ctx, chunk)
    for chunk in _kpi_chunks(ctx):
        _claim(ctx, chunk)
    for chunk in _value_chunks(ctx):
        _claim(ctx, chunk)
    result.claimed = dict(ctx.claimed)


@dataclass
class _ScanContext:
    today: datetime.date
    rules: Rules
    absent: set[int]
    digest_users: set[int]
    claim: str
    enqueue: bool
    enqueued_upto: int = 0
    claimed: Counter = field(default_factory=Counter)

    def notice(
        self,
        *,
        recipient: int,
        people: ContractPeople,
        subject_type: str,
        subject_id: int,
        kind: str,
        threshold: str,
        due_date: datetime.date | None,
        title: str,
        body: str,
    ) -> tuple:
        """One notice to claim, as a row of CLAIM_COLUMNS."""
        state = EmailState.DIGEST if recipient in self.digest_users else EmailState.PENDING
        return (
            recipient,
            people.pk,
            subject_type,
            subject_id,
            kind,
            threshold,
            due_date,
            title[:300],
            body,
            state,
            self.claim,
        )


def _claim(ctx: _ScanContext, rows: list[tuple]) -> None:
    """Insert the rows under the unique constraint; rows someone already holds are skipped."""
    rows = _not_yet_claimed(rows)
    if not rows:
        return
    with transaction.atomic():
        inserted = _insert_claims(rows, claim=ctx.claim, after_pk=ctx.enqueued_upto)
        ctx.claimed.update(kind for _pk, kind, _state in inserted)
        if inserted:
            ctx.enqueued_upto = max(ctx.enqueued_upto, max(pk for pk, _k, _s in inserted))
        if ctx.enqueue:
            _enqueue_delivery(_pending(inserted))


def _not_yet_claimed(rows: list[tuple]) -> list[tuple]:
    """Leave out notices already in the log (one indexed query), so a repeated or daily scan
    does not push every row through the insert. Only a shortcut: the unique constraint still
    decides, for rows claimed by a concurrent scan in the meantime."""
    if not rows:
        return rows
    subject_types = {row[2] for row in rows}
    subject_ids = {row[3] for row in rows}
    kinds = {row[4] for row in rows}
    existing = set(
        Notification.objects.filter(
            subject_type__in=subject_types, subject_id__in=subject_ids, kind__in=kinds
        ).values_list("subject_type", "subject_id", "kind", "threshold", "recipient_id")
    )
    if not existing:
        return rows
    return [row for row in rows if (row[2], row[3], row[4], row[5], row[0]) not in existing]


# The columns a claim fills in; the rest take their defaults (unread, no attempts yet).
CLAIM_COLUMNS = (
    "recipient_id",
    "contract_id",
    "subject_type",
    "subject_id",
    "kind",
    "threshold",
    "due_date",
    "title",
    "body",
    "email_state",
    "claim",
)
_CLAIM_TABLE = """CREATE TEMP TABLE IF NOT EXISTS notification_claims (
    recipient_id bigint, contract_id bigint, subject_type varchar(20), subject_id bigint,
    kind varchar(20), threshold varchar(60), due_date date, title varchar(300), body text,
    email_state varchar(12), claim varchar(32)) ON COMMIT DELETE ROWS"""


def _pending(inserted: list[tuple]) -> list[int]:
    """Ids of newly claimed notices that wait for an immediate email, in id order."""
    return sorted(pk for pk, _kind, state in inserted if state == EmailState.PENDING)


def _insert_claims(rows: list[tuple], *, claim: str, after_pk: int = 0) -> list[tuple]:
    """Insert notices (rows of CLAIM_COLUMNS) skipping any already claimed; return
    (id, kind, email_state) of the rows this call inserted. Call inside a transaction.

    On PostgreSQL the rows are COPied into a temporary table and moved with one
    INSERT … ON CONFLICT DO NOTHING RETURNING, in a fixed order so concurrent scans take the
    unique-index locks in the same order. Elsewhere bulk_create(ignore_conflicts=True).
    """
    if connection.vendor != "postgresql":
        Notification.objects.bulk_create(
            [Notification(**dict(zip(CLAIM_COLUMNS, row, strict=True))) for row in rows],
            ignore_conflicts=True,
            batch_size=1000,
        )
        return list(
            Notification.objects.filter(claim=claim, pk__gt=after_pk).values_list(
                "pk", "kind", "email_state"
            )
        )
    table = connection.ops.quote_name(Notification._meta.db_table)
    columns = ", ".join(CLAIM_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_TABLE)
        with cursor.copy(f"COPY notification_claims ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}, created_at, attempts, last_error) "
            f"SELECT {columns}, now(), 0, '' FROM notification_claims "
            "ORDER BY subject_type, subject_id, kind, threshold, recipient_id "
            "ON CONFLICT DO NOTHING RETURNING id, kind, email_state"
        )
        inserted = cursor.fetchall()
        cursor.execute("DELETE FROM notification_claims")
    return inserted


def _pending_ids(queryset) -> list[int]:
    return list(
        queryset.filter(email_state=EmailState.PENDING).order_by("pk").values_list("pk", flat=True)
    )


def _enqueue_delivery(notification_ids: list[int]) -> None:
    """After commit, hand the ids to the workers in chunks (one small task per chunk)."""
    if not notification_ids:
        return
    from notifications.tasks import deliver_notifications

    for start in range(0, len(notification_ids), FAN_OUT_CHUNK):
        chunk = notification_ids[start : start + FAN_OUT_CHUNK]
        transaction.on_commit(
            lambda chunk=chunk: deliver_notifications.delay(notification_ids=chunk)
        )


def _people_chunks(queryset) -> Iterator[list[ContractPeople]]:
    chunk: list[ContractPeople] = []
    for values in queryset.values_list(*PEOPLE_FIELDS).iterator(chunk_size=SCAN_CHUNK):
        chunk.append(ContractPeople(*values))
        if len(chunk) >= SCAN_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _expire_contracts(ctx: _ScanContext) -> int:
    """Active contracts whose end date has passed become expired; their followers are told."""
    expired = 0
    queryset = Contract.objects.filter(
        status=ContractStatus.ACTIVE, end_date__lt=ctx.today
    ).order_by("pk")
    while True:
        with transaction.atomic():
            chunk = list(
                queryset.select_for_update(skip_locked=True, of=("self",)).values_list(
                    *PEOPLE_FIELDS
                )[:SCAN_CHUNK]
            )
            if not chunk:
                return expired
            people = [ContractPeople(*values) for values in chunk]
            Contract.objects.filter(
                pk__in=[p.pk for p in people], status=ContractStatus.ACTIVE
            ).update(status=ContractStatus.EXPIRED, updated_at=timezone.now())
            expired += len(people)
            followers = selectors.follower_ids([p.pk for p in people])
            _claim(ctx, _ended_unannounced_rows(ctx, people, followers))
            rows = [
                ctx.notice(
                    recipient=user_id,
                    people=p,
                    subject_type=SubjectType.CONTRACT,
                    subject_id=p.pk,
                    kind=Kind.EXPIRED,
                    threshold=f"{p.end_date.isoformat()}/expired",
                    due_date=p.end_date,
                    title=f"{p.reference} has expired",
                    body=_ended_body(p),
                )
                for p in people
                for user_id in followers.get(p.pk, [])
            ]
            _claim(ctx, rows)


def _ended_body(p: ContractPeople) -> str:
    return (
        f"{p.reference} – {p.title} ended on {long_day(p.end_date)} and is now marked as "
        "expired. Orders can no longer be placed against it."
    )


def _ended_unannounced_rows(
    ctx: _ScanContext, people: list[ContractPeople], followers: dict[int, list[int]]
) -> list[tuple]:
    """Catch-up for contracts that ended while no scan ran (an outage over the end date): the
    expiry rule looks only at contracts not yet ended, so the people it tells (the managers,
    and while no renewal decision is recorded the sourcing manager and head) get the latest
    threshold passed here, unless it was sent. Ends older than EXPIRY_CATCH_UP_DAYS are left
    alone: a register with stale statuses would otherwise fill inboxes with old news."""
    offsets = ctx.rules.expiry_offsets
    recent = {
        p.pk: (p, offset)
        for p in people
        if (ctx.today - p.end_date).days <= EXPIRY_CATCH_UP_DAYS
        and (offset := latest_reached(p.end_date, offsets, ctx.today)) is not None
    }
    if not recent:
        return []
    told = set(
        Notification.objects.filter(
            subject_type=SubjectType.CONTRACT,
            subject_id__in=list(recent),
            kind=Kind.EXPIRY,
            threshold__in=[threshold_key(p.end_date, o) for p, o in recent.values()],
        ).values_list("subject_id", "threshold")
    )
    decided = selectors.renewal_decided(list(recent))
    rows = []
    for p, offset in recent.values():
        threshold = threshold_key(p.end_date, offset)
        if (p.pk, threshold) in told:
            continue
        recipients = p.managers(ctx.absent)
        body = _ended_body(p)
        if p.pk not in decided:
            recipients += [p.sourcing_manager, p.head]
            body += " No re-procurement or extension was recorded."
        rows += [
            ctx.notice(
                recipient=recipient,
                people=p,
                subject_type=SubjectType.CONTRACT,
                subject_id=p.pk,
                kind=Kind.EXPIRY,
                threshold=threshold,
                due_date=p.end_date,
                title=f"{p.reference} ended {describe_days((p.end_date - ctx.today).days)} "
                f"({day(p.end_date)})",
                body=body,
            )
            for recipient in _unique(recipients)
            if recipient not in followers.get(p.pk, [])  # They hear it as "has expired".
        ]
    return rows


def _without_logged_threshold(queryset, anchor: str, offsets, today, subject_type, kind):
    """Leave out subjects whose latest reached threshold is already in the log, in SQL, so a
    daily scan only looks at the few subjects with something new. The threshold key is built
    in SQL exactly as rules.threshold_key builds it ("2027-03-31/-90").

    A subject is told once per threshold, to the people responsible when it was reached:
    someone who starts following later, or a cover who steps in later, gets the next one.
    """
    whens = [
        When(**{f"{anchor}__lte": today - datetime.timedelta(days=offset)}, then=Value(str(offset)))
        for offset in sorted(offsets, reverse=True)
    ]
    key = Concat(
        Cast(anchor, CharField()),
        Value("/"),
        Case(*whens, default=Value("none"), output_field=CharField()),
        output_field=CharField(),
    )
    logged = Notification.objects.filter(
        subject_type=subject_type,
        subject_id=OuterRef("pk"),
        kind=kind,
        threshold=OuterRef("threshold_key"),
    )
    return queryset.alias(threshold_key=key).exclude(Exists(logged))


def _expiry_chunks(ctx: _ScanContext) -> Iterator[list[tuple]]:
    offsets = ctx.rules.expiry_offsets
    if not offsets:
        return
    queryset = Contract.objects.filter(
        status=ContractStatus.ACTIVE,
        end_date__gte=ctx.today,
        end_date__lte=furthest_anchor(offsets, ctx.today),
    ).order_by("pk")
    queryset = _without_logged_threshold(
        queryset, "end_date", offsets, ctx.today, SubjectType.CONTRACT, Kind.EXPIRY
    )
    for people in _people_chunks(queryset):
        decided = selectors.renewal_decided([p.pk for p in people])
        followers = selectors.follower_ids([p.pk for p in people])
        rows = []
        for p in people:
            offset = latest_reached(p.end_date, offsets, ctx.today)
            if offset is None:
                continue
            recipients = p.managers(ctx.absent)
            if p.pk not in decided:
                recipients += [p.sourcing_manager, p.head]
            recipients += followers.get(p.pk, [])
            days = (p.end_date - ctx.today).days
            title = f"{p.reference} expires {describe_days(days)} ({day(p.end_date)})"
            body = (
                f"{p.reference} – {p.title} ends on {long_day(p.end_date)}, {describe_days(days)}."
            )
            if p.pk not in decided:
                body += " No re-procurement or extension has been recorded yet."
            for recipient in _unique(recipients):
                rows.append(
                    ctx.notice(
                        recipient=recipient,
                        people=p,
                        subject_type=SubjectType.CONTRACT,
                        subject_id=p.pk,
                        kind=Kind.EXPIRY,
                        threshold=threshold_key(p.end_date, offset),
                        due_date=p.end_date,
                        title=title,
                        body=body,
                    )
                )
        yield rows


def _extension_chunks(ctx: _ScanContext) -> Iterator[list[tuple]]:
    offsets = ctx.rules.extension_offsets
    if not offsets:
        return
    options = (
        ExtensionOption.objects.filter(
            exercised=False,
            decide_by__gte=ctx.today,
            decide_by__lte=furthest_anchor(offsets, ctx.today),
            contract__status=ContractStatus.ACTIVE,
        )
        .order_by("pk")
        .values_list("pk", "contract_id", "sequence", "length_months", "decide_by")
    )
    options = _without_logged_threshold(
        options, "decide_by", offsets, ctx.today, SubjectType.EXTENSION_OPTION, Kind.EXTENSION
    )
    chunk: list[tuple] = []
    for option in options.iterator(chunk_size=SCAN_CHUNK):
        chunk.append(option)
        if len(chunk) >= SCAN_CHUNK:
            yield _extension_rows(ctx, chunk)
            chunk = []
    if chunk:
        yield _extension_rows(ctx, chunk)


def _extension_rows(ctx: _ScanContext, options: list[tuple]) -> list[tuple]:
    contracts = {
        p.pk: p
        for chunk in _people_chunks(Contract.objects.filter(pk__in={o[1] for o in options}))
        for p in chunk
    }
    decided = selectors.term_decided(contracts)
    rows = []
    for pk, contract_id, sequence, length_months, decide_by in options:
        offset = latest_reached(decide_by, ctx.rules.extension_offsets, ctx.today)
        if offset is None or contract_id in decided:  # No option is left to decide.
            continue
        p = contracts[contract_id]
        days = (decide_by - ctx.today).days
        for recipient in p.managers(ctx.absent):
            rows.append(
                ctx.notice(
                    recipient=recipient,
                    people=p,
                    subject_type=SubjectType.EXTENSION_OPTION,
                    subject_id=pk,
                    kind=Kind.EXTENSION,
                    threshold=threshold_key(decide_by, offset),
                    due_date=decide_by,
                    title=(
                        f"{p.reference}: decide extension option {sequence} "
                        f"{describe_days(days)} ({day(decide_by)})"
                    ),
                    body=(
                        f"Extension option {sequence} of {p.reference} – {p.title} "
                        f"({length_months} months) must be decided by {long_day(decide_by)}."
                    ),
                )
            )
    return rows


def _value_chunks(ctx: _ScanContext) -> Iterator[list[tuple]]:
    """Contracts whose spend to date reached the warning share of their value (80% unless
    SPEND_BURN_WARN_PERCENT says otherwise), then all of it: the managers are told at each
    step, the head of category too when it is all used. As for dates, only the latest step
    reached is told, once; the threshold names the value, so a new value earns new notices."""
    from spend.selectors import contracts_using_their_value  # Spend is built on contracts.

    warn = settings.SPEND_BURN_WARN_PERCENT
    used = contracts_using_their_value(warn_percent=warn)
    for start in range(0, len(used), SCAN_CHUNK):
        chunk = {pk: (spent, value) for pk, spent, value in used[start : start + SCAN_CHUNK]}
        rows = []
        for people in _people_chunks(Contract.objects.filter(pk__in=chunk).order_by("pk")):
            for p in people:
                spent, value = chunk[p.pk]
                step = 100 if spent >= value else warn
                recipients = p.managers(ctx.absent) + ([p.head] if step == 100 else [])
                title, body = _value_text(p, spent, value)
                notice = {"people": p, "subject_type": SubjectType.CONTRACT, "subject_id": p.pk,
                          "kind": Kind.VALUE_USED, "threshold": f"value {value:.2f}/{step}",
                          "due_date": None, "title": title, "body": body}  # fmt: skip
                rows += [ctx.notice(recipient=r, **notice) for r in _unique(recipients)]
        yield rows


def _value_text(p: ContractPeople, spent, value) -> tuple[str, str]:
    from spend.values import format_pounds  # As the spend pages write amounts.

    # Cut, not rounded: £999.96 of £1,000 is 99%, with the advice for a value not yet used up.
    percent = int(100 * spent / value)
    advice = (
        "Its value is used up: further orders need a variation or a new contract."
        if spent >= value
        else "Plan a variation or a re-procurement before it runs out."
    )
    return (
        f"{p.reference} has used {percent}% of its value",
        f"{p.reference} – {p.title}: {format_pounds(spent, 2)} paid to date against a value of "
        f"{format_pounds(value, 2)} ({percent}%). {advice}",
    )


KPI_KINDS = (Kind.KPI_REVIEW, Kind.KPI_OVERDUE, Kind.KPI_ESCALATION)


def _kpi_chunks(ctx: _ScanContext) -> Iterator[list[tuple]]:
    """KPI reviews: before due, on the day, overdue, and escalated to the head of category.

    Overdue reviews stay in play until done, so a review overdue for months still gets its
    escalation (once) after an outage.
    """
    rules = ctx.rules
    offsets = rules.kpi_offsets
    if not offsets:
        return
    last_anchor = furthest_anchor(offsets, ctx.today)
    due_dates = {
        contract_id: due
        for contract_id, due in selectors.kpi_review_due_dates().items()
        if due is not None and due <= last_anchor
    }
    if not due_dates:
        return
    # Leave out reviews whose latest reached threshold is already logged (one query over this
    # review cycle's KPI notices), so a daily scan only loads the contracts with news.
    logged = set(
        Notification.objects.filter(
            subject_type=SubjectType.CONTRACT,
            kind__in=KPI_KINDS,
            due_date__gte=min(due_dates.values()),
        )
        .values_list("subject_id", "threshold")
        .distinct()
    )
    ids = sorted(
        contract_id
        for contract_id, due in due_dates.items()
        if (contract_id, threshold_key(due, latest_reached(due, offsets, ctx.today))) not in logged
    )
    for start in range(0, len(ids), SCAN_CHUNK):
        queryset = Contract.objects.filter(
            pk__in=ids[start : start + SCAN_CHUNK], status=ContractStatus.ACTIVE
        ).order_by("pk")
        for people in _people_chunks(queryset):
            rows = []
            for p in people:
                due = due_dates[p.pk]
                offset = latest_reached(due, offsets, ctx.today)
                if offset is None:
                    continue
                kind = kpi_kind(offset, rules)
                recipients = p.managers(ctx.absent)
                if kind == Kind.KPI_ESCALATION:
                    recipients.append(p.head)
                days = (due - ctx.today).days
                if days >= 0:
                    title = f"{p.reference}: KPI review due {describe_days(days)}"
                else:
                    title = f"{p.reference}: KPI review overdue by {-days} days"
                    if kind == Kind.KPI_ESCALATION:
                        title += " (escalated to the head of category)"
                for recipient in _unique(recipients):
                    rows.append(
                        ctx.notice(
                            recipient=recipient,
                            people=p,
                            subject_type=SubjectType.CONTRACT,
                            subject_id=p.pk,
                            kind=kind,
                            threshold=threshold_key(due, offset),
                            due_date=due,
                            title=title,
                            body=(
                                f"The KPI review of {p.reference} – {p.title} is due on "
                                f"{long_day(due)}."
                            ),
                        )
                    )
            yield rows


# --- Delivery -------------------------------------------------------------------------------


def recipient_address(user) -> str:
    try:
        work_email = user.profile.work_email
    except StaffProfile.DoesNotExist:
        work_email = ""
    return work_email or user.email


def _is_permanent(exc: Exception) -> bool:
    return isinstance(exc, SMTPResponseException) and exc.smtp_code >= 500


def notification_deliver(*, notification_id: int, final_attempt: bool = True) -> str:
    """Email one notice, exactly once. Returns the state it ends in.

    The row is locked and re-checked, the email sent and the row marked sent in one
    transaction, so a second delivery of the same id (a retried or duplicated task) finds it
    sent. A temporary SMTP failure counts an attempt, keeps the row pending and re-raises so
    the task retries with backoff; on the final attempt the row is marked failed instead.
    """
    error = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient__profile", "contract")
            .filter(pk=notification_id, email_state=EmailState.PENDING)
            .first()
        )
        if notification is None:
            return "skipped"
        address = recipient_address(notification.recipient)
        if not address:
            notification.email_state = EmailState.NO_ADDRESS
            notification.save(update_fields=["email_state"])
            return notification.email_state
        message = _email(
            to=address,
            subject=notification.title,
            template="notifications/email/notice",
            context={"notification": notification, "recipient": notification.recipient},
        )
        notification.attempts += 1
        try:
            message.send()
        except TRANSIENT_EMAIL_ERRORS as exc:
            notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if final_attempt or _is_permanent(exc):
                notification.email_state = EmailState.FAILED
            else:
                error = exc
        else:
            notification.email_state = EmailState.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.save(update_fields=["email_state", "attempts", "last_error", "sent_at"])
    if error is not None:
        raise error
    return notification.email_state


def digest_user_ids_waiting() -> list[int]:
    return list(
        Notification.objects.filter(email_state=EmailState.DIGEST)
        .values_list("recipient_id", flat=True)
        .distinct()
        .order_by("recipient_id")
    )


def digest_deliver(*, user_id: int, final_attempt: bool = True) -> int:
    """Email one user everything waiting for their digest, grouped by kind. Returns how many
    notices it held (0 when nothing was waiting or another worker holds them)."""
    error = None
    with transaction.atomic():
        notifications = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(recipient_id=user_id, email_state=EmailState.DIGEST)
            .select_related("contract")
            .order_by("kind", "due_date", "pk")
        )
        if not notifications:
            return 0
        outdated = _outdated_notice_ids(notifications)
        if outdated:
            Notification.objects.filter(pk__in=outdated).update(email_state=EmailState.OUTDATED)
            notifications = [n for n in notifications if n.pk not in outdated]
            if not notifications:
                return len(outdated)
        user = User.objects.select_related("profile").get(pk=user_id)
        ids = [n.pk for n in notifications]
        address = recipient_address(user)
        if not address:
            Notification.objects.filter(pk__in=ids).update(email_state=EmailState.NO_ADDRESS)
            return len(ids)
        groups: dict[str, list[Notification]] = {}
        for notification in notifications:
            groups.setdefault(notification.get_kind_display(), []).append(notification)
        message = _email(
            to=address,
            subject=f"{settings.HUB_NAME}: your weekly digest "
            f"({len(ids)} notice{'' if len(ids) == 1 else 's'})",
            template="notifications/email/digest",
            context={"groups": groups, "recipient": user, "count": len(ids)},
        )
        try:
            message.send()
        except TRANSIENT_EMAIL_ERRORS as exc:
            failed = final_attempt or _is_permanent(exc)
            for notification in notifications:
                notification.attempts += 1
                notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if failed:
                    notification.email_state = EmailState.FAILED
            Notification.objects.bulk_update(
                notifications, ["attempts", "last_error", "email_state"]
            )
            if not failed:
                error = exc
        else:
            for notification in notifications:
                notification.attempts += 1
            Notification.objects.bulk_update(notifications, ["attempts"])
            Notification.objects.filter(pk__in=ids).update(
                email_state=EmailState.SENT, sent_at=timezone.now(), last_error=""
            )
    if error is not None:
        raise error
    return len(ids)


def _outdated_notice_ids(notifications: list[Notification]) -> set[int]:
    """Reminders held for a digest that what happened since has answered: the contract was
    extended (its end date moved) or terminated or superseded, the extension option decided
    (or the term, another way), the KPI review logged (the next due date moved). The digest
    leaves them out; the inbox keeps them, as the log of what was due. Three queries at most."""
    kpi_contracts = [n.contract_id for n in notifications if n.kind in KPI_KINDS]
    due = selectors.kpi_review_due_dates(kpi_contracts) if kpi_contracts else {}
    option_ids = [n.subject_id for n in notifications if n.kind == Kind.EXTENSION]
    open_options = set(
        ExtensionOption.objects.filter(pk__in=option_ids, exercised=False).values_list(
            "pk", flat=True
        )
        if option_ids
        else ()
    )
    # The term decided another way (re-procure, let expire): no option is left to decide.
    extension_contracts = [n.contract_id for n in notifications if n.kind == Kind.EXTENSION]
    decided = selectors.term_decided(extension_contracts) if extension_contracts else set()
    outdated = set()
    for n in notifications:
        contract = n.contract
        if n.kind == Kind.EXPIRY:
            stale = (
                contract is None
                or contract.end_date != n.due_date
                or contract.status in (ContractStatus.TERMINATED, ContractStatus.SUPERSEDED)
            )
        elif n.kind == Kind.EXTENSION:
            stale = n.subject_id not in open_options or n.contract_id in decided
        elif n.kind in KPI_KINDS:
            stale = due.get(n.contract_id) != n.due_date
        else:
            stale = False
        if stale:
            outdated.add(n.pk)
    return outdated


def _email(*, to: str, subject: str, template: str, context: dict) -> EmailMultiAlternatives:
    context = {**context, "HUB_NAME": settings.HUB_NAME, "base_url": settings.HUB_BASE_URL}
    message = EmailMultiAlternatives(
        subject=subject.replace("\n", " ")[:250],
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
