"""manage.py import_spend FILE... --authority CODE [--profile NAME] [--keep-valid]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from categories.models import Authority
from spend import services
from spend.mapping import FIELDS, missing_required
from spend.models import ImportMode, ImportStatus, MappingProfile, SpendImport
from spend.reader import UnreadableFile


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

    def handle(self, *args, files, authority, profile, keep_valid, **options):
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
            result = self._import(path, authority, chosen, mode)
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

    def _import(self, path, authority, profile, mode) -> SpendImport:
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
        services.import_confirm(
            spend_import=spend_import,
            mapping=spend_import.mapping,
            mode=mode,
            date_formats=spend_import.date_formats,
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
