"""`manage.py seed_demo`: fill the hub with realistic, deterministic demo data for every app."""

import datetime
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from contracts.demo import SIGN_INS
from contracts.models import Contract
from procurement_hub.demo import DEMO_PASSWORD, DemoContext, seed_all

# Tables --reset keeps: what migrations made, not data.
KEEP_ON_RESET = {
    "django_migrations",
    ContentType._meta.db_table,
    Permission._meta.db_table,
    Group._meta.db_table,
    Group.permissions.through._meta.db_table,
}


class Command(BaseCommand):
    help = (
        "Create demo authorities, staff, vendors, contracts and each app's data. "
        "Deterministic for a given --seed and --today."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--contracts", type=int, default=1000, help="how many contracts (default 1000)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument("--today", help="pretend today is YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but list the sign-ins) when the hub already has contracts",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete ALL data in the database (users included) before seeding",
        )

    def handle(self, *args, **options):
        if options["contracts"] < 1:
            raise CommandError("--contracts must be at least 1")
        today = timezone.localdate()
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(
                    f"--today must be a date as YYYY-MM-DD, not {options['today']!r}"
                ) from exc
        if options["if_empty"] and options["reset"]:
            raise CommandError("--if-empty and --reset contradict each other: choose one")
        if options["if_empty"] and Contract.objects.exists():
            self.stdout.write("The hub already has contracts: demo data left as it is.")
            self.print_sign_ins()
            return
        started = time.monotonic()
        with transaction.atomic():
            if options["reset"]:
                self.stdout.write("Deleting every row (--reset)…")
                wipe_data()
            elif has_data():
                raise CommandError(
                    "The hub already has data. Use --reset to replace it with demo data, "
                    "or --if-empty to leave it alone."
                )
            ctx = DemoContext(
                today=today,
                seed=options["seed"],
                contracts=options["contracts"],
                log=self.stdout.write,
            )
            seed_all(ctx)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready in {time.monotonic() - started:.1f} s "
                f"({options['contracts']} contracts, today = {today.isoformat()})."
            )
        )
        self.print_sign_ins()

    def print_sign_ins(self) -> None:
        present = set(
            get_user_model()
            .objects.filter(username__in=SIGN_INS)
            .values_list("username", flat=True)
        )
        if not present:
            return
        self.stdout.write(f"Sign in with any of these, password {DEMO_PASSWORD}:")
        for username, (role, what) in SIGN_INS.items():
            if username in present:
                self.stdout.write(f"  {username:<11} {role.label:<20} {what}")


def has_data() -> bool:
    from categories.models import Authority, Category

    return (
        Contract.objects.exists()
        or Category.objects.exists()
        or Authority.objects.exists()
        or get_user_model().objects.filter(username__in=SIGN_INS).exists()
    )


def wipe_data() -> None:
    """Empty every table but the ones migrations fill, and restart the id sequences."""
    tables = [
        table
        for table in connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        if table not in KEEP_ON_RESET
    ]
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=False
    )
    if connection.vendor == "postgresql":
        # Rows inserted earlier in this transaction leave deferred foreign-key checks pending,
        # and TRUNCATE refuses to run while any are: check them now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    connection.ops.execute_sql_flush(statements)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
