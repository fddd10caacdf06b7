"""Run the reminder scan now: the same scan as the daily Celery beat entry.

manage.py send_reminders                       # today's scan (local date)
manage.py send_reminders --today 2027-01-31    # as if today were 31 January 2027
manage.py send_reminders --dry-run             # report what would be sent; change nothing
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.services import reminders_scan


class Command(BaseCommand):
    help = "Expire ended contracts and send every reminder due today (exactly once)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be sent; change nothing."
        )

    def handle(self, *args, today=None, dry_run=False, **options):
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today {today!r} is not a date such as 2027-01-31.") from None
        else:
            day = timezone.localdate()
        result = reminders_scan(today=day, dry_run=dry_run)
        self.stdout.write(str(result))
