"""`manage.py seed_demo`: fill the hub with realistic demo data for every app."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from contracts.models import Contract
from procurement_hub.demo import DEMO_PASSWORD, DemoContext, seed_all


class Command(BaseCommand):
    help = "Create demo authorities, staff, vendors, contracts and each app's data."

    def add_arguments(self, parser):
        parser.add_argument("--contracts", type=int, default=400, help="how many contracts")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument("--today", help="pretend today is YYYY-MM-DD")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when contracts already exist"
        )

    def handle(self, *args, **options):
        if options["contracts"] < 1:
            raise CommandError("--contracts must be at least 1")
        today = timezone.localdate()
        if options["today"]:
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today must be YYYY-MM-DD, not {options['today']!r}") from exc
        if options["if_empty"] and Contract.objects.exists():
            self.stdout.write("The hub already has contracts: demo data left as it is.")
            return
        ctx = DemoContext(
            today=today, seed=options["seed"], contracts=options["contracts"], log=self.stdout.write
        )
        with transaction.atomic():
            seed_all(ctx)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Sign in as admin, head, catmanager, officer, cm, sourcing or "
                f"buyer with the password {DEMO_PASSWORD}."
            )
        )
