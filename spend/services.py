"""Writes of the spend app: create and confirm imports, save mapping profiles, confirm payee
matches, map expense codes."""

import contextlib
import datetime
import hashlib
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import File
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from spend import matching, summaries
from spend.mapping import apply_profile, detect_mapping, header_signature, missing_required
from spend.models import (
    HOLDS_PAYMENTS,
    ExpenseCode,
    ImportMode,
    ImportStatus,
    MappingProfile,
    MatchMethod,
    Payee,
    SpendImport,
)
from spend.reader import SpendTable, undecodable
from spend.values import (
    UNDATED_NEEDS_REFERENCE,
    is_undated,
    normalize_name,
    period_end_from_name,
    undated_as_problem,
)
from vendors.services import vendor_add_alias, vendor_remove_aliases


def file_hash(fileobj: BinaryIO) -> str:
    digest = hashlib.sha256()
    fileobj.seek(0)
    for block in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(block)
    fileobj.seek(0)
    return digest.hexdigest()


def profile_for(*, authority, headers: list[str]) -> MappingProfile | None:
    """The saved profile for files with these headers: this authority's first, then any."""
    signature = header_signature(headers)
    profiles = MappingProfile.objects.filter(header_signature=signature)
    return profiles.filter(authority=authority).first() or profiles.first()


def import_create(*, authority, fileobj: BinaryIO, file_name: str, by=None,
                  profile: MappingProfile | None = None) -> SpendImport:  # fmt: skip
    """Read the file's layout, detect its mapping and store it for preview. Raises
    spend.reader.UnreadableFile when the file has no recognisable header, or bytes its
    encoding has no character for."""
    try:
        return _import_create(authority, fileobj, file_name, by, profile)
    except UnicodeDecodeError as exc:
        raise undecodable(exc) from None


def _import_create(authority, fileobj: BinaryIO, file_name: str, by, profile) -> SpendImport:
    table = SpendTable(fileobj, file_name)
    headers = table.layout.headers
    profile = profile or profile_for(authority=authority, headers=headers)
    mapping = detect_mapping(headers)
    if profile is not None:
        mapping = apply_profile(profile.mapping, headers)
    detected = table.layout.as_dict() | {
        "preview": table.preview(),
        "auto_mapping": detect_mapping(headers),
    }
    digest = file_hash(fileobj)
    spend_import = SpendImport(
        authority=authority,
        profile=profile,
        file_name=file_name[:255],
        content_hash=digest,
        detected=detected,
        mapping=mapping,
        date_formats=profile.date_formats if profile else "",
        mode=profile.mode if profile else ImportMode.ALL_OR_NOTHING,
        undated_as=suggested_undated_as(file_name, headers, detected["preview"], mapping),
        created_by=by if by is not None and by.is_authenticated else None,
    )
    spend_import.upload.save(file_name.rsplit("/", 1)[-1], File(fileobj), save=False)
    spend_import.save()
    return spend_import


def suggested_undated_as(file_name: str, headers: list[str], preview: list[list[str]],
                         mapping: dict[str, str]) -> datetime.date | None:  # fmt: skip
    """A date for rows with none, offered on the preview: the last day of the period the file's
    name gives, when most preview rows' date cells hold no date (a time alone, or nothing).
    None otherwise: such rows are then rejected unless the importer gives a date."""
    undated, shown = undated_in_preview(headers, preview, mapping)
    if undated * 2 <= shown or "reference" not in mapping:
        return None
    return period_end_from_name(file_name)


def undated_in_preview(headers: list[str], preview: list[list[str]],
                       mapping: dict[str, str]) -> tuple[int, int]:  # fmt: skip
    """(preview rows whose date cell holds no date, preview rows)."""
    column = mapping.get("date")
    if column not in headers:
        return 0, 0
    position = headers.index(column)
    cells = [row[position] for row in preview if position < len(row)]
    return sum(map(is_undated, cells)), len(cells)


def already_imported(spend_import: SpendImport) -> SpendImport | None:
    return (
        SpendImport.objects.filter(
            authority_id=spend_import.authority_id,
            content_hash=spend_import.content_hash,
            status__in=HOLDS_PAYMENTS,
        )
        .exclude(pk=spend_import.pk)
        .first()
    )


def import_confirm(*, spend_import: SpendImport, mapping: dict[str, str], mode: str,
                   date_formats: str = "", save_profile_as: str = "",
                   undated_as: datetime.date | None = None,
                   run_now: bool = False) -> SpendImport:  # fmt: skip
    """Accept the (corrected) mapping and queue the import (a Celery task; eager on the embedded
    default), or run it here with run_now. Same file again: nothing to do."""
    from spend.tasks import run_spend_import

    if spend_import.status != ImportStatus.PREVIEW:
        return spend_import
    headers = spend_import.detected.get("headers", [])
    spend_import.mapping = {f: h for f, h in mapping.items() if h and h in headers}
    spend_import.mode = mode if mode in ImportMode.values else ImportMode.ALL_OR_NOTHING
    spend_import.date_formats = date_formats
    if problem := undated_as_problem(undated_as):
        raise ValueError(problem)
    if undated_as and "reference" not in spend_import.mapping:
        raise ValueError(UNDATED_NEEDS_REFERENCE)
    spend_import.undated_as = undated_as
    if missing_required(spend_import.mapping):
        raise ValueError("Map the payment date, amount and supplier name before importing.")
    if save_profile_as:
        spend_import.profile = profile_save(
            name=save_profile_as,
            authority=spend_import.authority,
            mapping=spend_import.mapping,
            headers=headers,
            date_formats=date_formats,
            mode=spend_import.mode,
        )
    earlier = already_imported(spend_import)
    if earlier is not None:
        spend_import.status = ImportStatus.DUPLICATE
        spend_import.message = (
            f"This file was imported already on {earlier.created_at:%d/%m/%Y} "
            f"(import #{earlier.pk}); nothing was added."
        )
        spend_import.save()
        return spend_import
    spend_import.status = ImportStatus.QUEUED
    spend_import.save()
    import_id = spend_import.pk
    if run_now:
        return import_run(import_id=import_id) or spend_import
    transaction.on_commit(lambda: run_spend_import.delay(import_id=import_id))
    return spend_import


STOPPED_MESSAGE = (
    "The import stopped before it finished (its worker was stopped or ran out of time); "
    "nothing was imported. Import the file again."
)


# A running import holds this session-level advisory lock (PostgreSQL) on its id: the sweep
# knows its runner is gone when it can take the lock itself (a dead session frees its locks).
RUN_LOCK = 770078
# A claim takes the lock a moment after it marks the import running: the sweep looks only at
# imports claimed before this.
CLAIM_GRACE = datetime.timedelta(minutes=5)


def imports_fail_stopped() -> int:
    """Mark failed the running imports whose runner is gone (a worker killed by a deploy, the
    time limit or memory). On PostgreSQL the runner's advisory lock says so exactly, whatever
    the import's age (a long `import_spend` run keeps its lock); elsewhere, an import running
    longer than the task time limit counts as stopped. The move is one transaction, so nothing
    of them was saved; their staged rows are cleared. Safe to run twice. Returns how many."""
    from spend.importer import _clear_staging  # The importer owns the staging tables.

    now = timezone.now()
    by_lock = connection.vendor == "postgresql"
    cutoff = now - (CLAIM_GRACE if by_lock else datetime.timedelta(
        seconds=settings.CELERY_TASK_TIME_LIMIT))  # fmt: skip
    running = SpendImport.objects.filter(status=ImportStatus.RUNNING).filter(
        Q(started_at__lt=cutoff) | Q(started_at__isnull=True, created_at__lt=cutoff)
    )
    count = 0
    for spend_import in running:
        if by_lock and not _try_run_lock(spend_import.pk):
            continue  # Its runner holds the lock: alive.
        try:
            with transaction.atomic():
                failed = SpendImport.objects.filter(
                    pk=spend_import.pk, status=ImportStatus.RUNNING
                ).update(status=ImportStatus.FAILED, message=STOPPED_MESSAGE, finished_at=now)
                if failed:
                    _clear_staging(spend_import)
                    count += 1
        finally:
            if by_lock:
                _release_run_lock(spend_import.pk)
    return count


def _try_run_lock(import_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RUN_LOCK, import_id])
        return cursor.fetchone()[0]


def _release_run_lock(import_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RUN_LOCK, import_id])


@contextlib.contextmanager
def _running(import_id: int):
    """Hold the import's run lock while it runs (PostgreSQL; nothing elsewhere)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [RUN_LOCK, import_id])
    try:
        yield
    finally:
        _release_run_lock(import_id)


def import_run(*, import_id: int) -> SpendImport | None:
    """Claim a queued import and run it (safe to call twice: only one run claims it)."""
    from spend.importer import run_import

    claimed = SpendImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    spend_import = SpendImport.objects.select_related("authority").get(pk=import_id)
    if already_imported(spend_import) is not None:
        spend_import.status = ImportStatus.DUPLICATE
        spend_import.message = "This file was imported already; nothing was added."
        spend_import.save(update_fields=["status", "message"])
        return spend_import
    with _running(import_id):
        return run_import(spend_import)


def profile_save(*, name: str, authority, mapping: dict, headers: list[str],
                 date_formats: str = "", mode: str = ImportMode.ALL_OR_NOTHING
                 ) -> MappingProfile:  # fmt: skip
    """Save (or update) the profile of this name. Raises ProfileTaken when another authority's
    profile has the name: saving would take it over."""
    name = name.strip()[:120]
    # A profile of no authority is shared: anyone may update it.
    taken = (
        MappingProfile.objects.filter(name=name, authority__isnull=False)
        .exclude(authority=authority)
        .first()
    )
    if taken is not None:
        raise ProfileTaken(
            f"The profile “{name}” belongs to {taken.authority or 'no authority'}: choose "
            "another name."
        )
    profile, _created = MappingProfile.objects.update_or_create(
        name=name,
        defaults={
            "authority": authority,
            "mapping": mapping,
            "header_signature": header_signature(headers),
            "date_formats": date_formats,
            "mode": mode,
        },
    )
    return profile


class ProfileTaken(ValueError):
    pass


def can_import_again(spend_import: SpendImport) -> bool:
    """Rejected or failed, and the same file not imported since (it would add nothing)."""
    if spend_import.status not in (ImportStatus.REJECTED, ImportStatus.FAILED):
        return False
    return already_imported(spend_import) is None


def import_again(*, spend_import: SpendImport, by=None) -> SpendImport:
    """A new preview of a rejected or failed import's file (the same stored file), with its
    mapping, formats and mode, to correct and confirm again. The finished import stays as the
    record of what happened."""
    if spend_import.status not in (ImportStatus.REJECTED, ImportStatus.FAILED):
        raise ValueError("Only a rejected or failed import can be imported again.")
    if already_imported(spend_import) is not None:
        raise ValueError("This file was imported since; importing it again would add nothing.")
    again = SpendImport(
        authority=spend_import.authority,
        profile=spend_import.profile,
        file_name=spend_import.file_name,
        upload=spend_import.upload.name,
        content_hash=spend_import.content_hash,
        detected=spend_import.detected,
        mapping=spend_import.mapping,
        date_formats=spend_import.date_formats,
        mode=spend_import.mode,
        undated_as=spend_import.undated_as,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    again.save()
    return again


class Gone(Exception):
    """What a person acted on left the hub meanwhile (the import that brought it was withdrawn
    while the request waited for it)."""

    def __init__(self, what: str):
        super().__init__(f"This {what} is no longer in the hub: the import that brought it was "
                         "withdrawn meanwhile.")  # fmt: skip


def _hold_imports(model, pk: int, what: str) -> None:
    """Wait for every import and withdrawal in flight, and hold them off until commit (the
    totals and summaries these writes recompute are theirs too); then check the object is
    still there."""
    matching.wait_for_imports()
    if not model.objects.filter(pk=pk).exists():
        raise Gone(what)


@transaction.atomic
def payee_confirm(*, payee: Payee, vendor) -> list[Payee]:
    """A person confirms payee = vendor: the payee's name becomes an alias of the vendor (so the
    next import matches by itself), and the unmatched payees of the same name that other
    authorities pay (not those set aside) match it now, by that alias. Their payments are
    re-matched. Returns the payees matched, the confirmed one first."""
    _hold_imports(Payee, payee.pk, "payee")
    vendor_add_alias(vendor=vendor, name=payee.name, from_payee=True)
    same_name = (
        Payee.objects.filter(normalized_name=payee.normalized_name, vendor__isnull=True)
        .exclude(pk=payee.pk)
        .exclude(match_method=MatchMethod.DISMISSED)
    )
    others = list(same_name.select_related("authority").order_by("authority__name"))
    Payee.objects.filter(pk__in=[p.pk for p in others]).update(
        vendor=vendor, match_method=MatchMethod.NAME
    )
    payee.vendor = vendor
    payee.match_method = MatchMethod.CONFIRMED
    payee.save(update_fields=["vendor", "match_method"])
    matching.rematch_payees(payee_ids=[payee.pk, *(p.pk for p in others)])
    return [payee, *others]


class MatchFixed(ValueError):
    """The vendor's own legal name or registration id makes the match: only changing the
    vendor changes it."""


@transaction.atomic
def payee_unmatch(*, payee: Payee) -> list[Payee]:
    """A person finds a payee name matched to the wrong vendor: the vendor's aliases of that
    name are removed (so no import matches it again), and every payee of that name the vendor
    holds goes back to the unmatched queue, with its payments re-matched. Returns those payees.
    Refused (MatchFixed) where the vendor's legal name or registration id makes the match."""
    _hold_imports(Payee, payee.pk, "payee")
    payee.refresh_from_db(fields=["vendor", "match_method"])
    vendor = payee.vendor
    if vendor is None:
        return []
    if reason := matching.fixed_match(payee, vendor):
        raise MatchFixed(reason)
    name = payee.normalized_name
    aliases = [alias.pk for alias in vendor.aliases.all() if normalize_name(alias.name) == name]
    vendor_remove_aliases(vendor=vendor, alias_ids=aliases)
    same_name = Payee.objects.filter(vendor=vendor, normalized_name=name)
    payees = list(same_name.exclude(match_method=MatchMethod.REGISTRATION).order_by("pk"))
    ids = [p.pk for p in payees]
    Payee.objects.filter(pk__in=ids).update(vendor=None, match_method=MatchMethod.NONE)
    matching.rematch_payees(payee_ids=ids)
    return payees


def payee_set_aside(*, payee: Payee, aside: bool = True) -> Payee:
    """Take an unmatched payee out of the work queue as no hub vendor, or put it back. A payee
    an import matched meanwhile stays matched (one conditional UPDATE, not a read then a save)."""
    method = MatchMethod.DISMISSED if aside else MatchMethod.NONE
    Payee.objects.filter(pk=payee.pk, vendor__isnull=True).update(match_method=method)
    try:
        payee.refresh_from_db(fields=["vendor", "match_method"])
    except Payee.DoesNotExist:
        raise Gone("payee") from None
    return payee


@transaction.atomic
def expense_code_map(*, code: ExpenseCode, category) -> ExpenseCode:
    """Map an expense code to a hub category (or unmap it with None); re-match its payments."""
    _hold_imports(ExpenseCode, code.pk, "expense code")
    code.category = category
    code.save(update_fields=["category"])
    slices = matching.rematch_transactions(where="expense_code_id = %s", params=[code.pk])
    matching.refresh_payee_totals(where="expense_code_id = %s", params=[code.pk])
    summaries.refresh_slices(slices)
    return code
