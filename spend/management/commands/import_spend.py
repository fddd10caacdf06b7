"""manage.py import_spend FILE... --authority CODE [--profile NAME] [--keep-valid]
[--undated-as DATE|period-end]"""

import argparse
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from categories.models import Authority
from spend import services
from spend.mapping import FIELDS, missing_required
from spend.models import ImportMode, ImportStatus, MappingProfile, SpendImport
from spend.reader import UnreadableFile
from spend.values import UNDATED_NEEDS_REFERENCE, period_end_from_name, undated_as_problem


class Command(BaseCommand):
    help = "Import spend files (CSV or XLSX) for an authority, with mappings auto-detected."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--authority", required=True, help="The authority's code.")
        parser.add_argument("--profile", help="A saved mapping profile's name.")
        parser.add_argument(
            "--keep-valid",
            action="store_true",
            help="Import the valid rows and list the rejects (default: all or nothing).",
        )
        parser.add_argument(
            "--undated-as",
            type=_undated_as,
            help="Date rows whose date cell is empty or a time alone: YYYY-MM-DD, or "
            "'period-end' for the last day of the period each file's name gives (default: "
            "reject them). Their payments are marked as dated by assumption.",
        )

    def handle(self, *args, files, authority, profile, keep_valid, undated_as, **options):
        try:
            authority = Authority.objects.get(code=authority)
        except Authority.DoesNotExist:
            raise CommandError(f"No authority with code {authority!r}.") from None
        chosen = None
        if profile:
            chosen = MappingProfile.objects.filter(name=profile).first()
            if chosen is None:
                raise CommandError(f"No mapping profile named {profile!r}.")
        mode = ImportMode.KEEP_VALID if keep_valid else ImportMode.ALL_OR_NOTHING
        failed = 0
        for path in files:
            if not path.is_file():
                raise CommandError(f"{path} is not a file.")
            result = self._import(path, authority, chosen, mode, undated_as)
            failed += result.status in {ImportStatus.FAILED, ImportStatus.REJECTED}
            self.stdout.write(
                f"{path.name}: {result.get_status_display()}; imported {result.imported_rows}, "
                f"duplicates {result.duplicate_rows}, rejected {result.rejected_rows} "
                f"of {result.total_rows} rows. {result.message}".rstrip()
            )
            for reason, count in _reject_reasons(result):
                self.stdout.write(f"    {count} × {reason}")
        if failed:
            raise CommandError(f"{failed} file(s) not imported.")

    def _import(self, path, authority, profile, mode, undated_as) -> SpendImport:
        undated_as = _date_for_undated(undated_as, path.name, self.stdout)
        with path.open("rb") as fileobj:
            try:
                spend_import = services.import_create(
                    authority=authority, fileobj=fileobj, file_name=path.name, profile=profile
                )
            except UnreadableFile as exc:
                raise CommandError(f"{path}: {exc}") from None
        missing = missing_required(spend_import.mapping)
        if missing:
            names = ", ".join(FIELDS[f] for f in missing)
            raise CommandError(f"{path}: no column found for {names}; save a profile first.")
        if undated_as and "reference" not in spend_import.mapping:
            self.stdout.write(f"{path.name}: {UNDATED_NEEDS_REFERENCE}; its undated rows, if any, "
                              "are rejected.")  # fmt: skip
            undated_as = None
        services.import_confirm(
            spend_import=spend_import,
            mapping=spend_import.mapping,
            mode=mode,
            date_formats=spend_import.date_formats,
            undated_as=undated_as,
            run_now=True,
        )
        spend_import.refresh_from_db()
        return spend_import


def _reject_reasons(spend_import: SpendImport):
    from django.db.models import Count

    return (
        spend_import.rejects.values_list("reason")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("reason", "n")
    )


PERIOD_END = "period-end"


def _undated_as(value: str) -> datetime.date | str:
    if value == PERIOD_END:
        return value
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r}: give a date as YYYY-MM-DD, or {PERIOD_END}"
        ) from None
    if problem := undated_as_problem(day):
        raise argparse.ArgumentTypeError(f"{value}: {problem}")
    return day


def _date_for_undated(choice, file_name: str, stdout) -> datetime.date | None:
    """The date for the file's undated rows: the one given, or its name's period end (None
    when its name gives none: its undated rows, if any, are then rejected)."""
    if choice != PERIOD_END:
        return choice
    found = period_end_from_name(file_name)
    if found is None:
        stdout.write(f"{file_name}: its name gives no period (a month and a year), so any "
                     "undated rows in it are rejected.")  # fmt: skip
    return found
