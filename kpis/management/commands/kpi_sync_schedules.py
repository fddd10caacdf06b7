"""`manage.py kpi_sync_schedules`: re-copy each review schedule's category and last running day
from its contract. Run daily (cron or Celery beat: kpis.tasks.sync_review_schedules) and after
bulk contract changes; reviews refresh their own schedule as they are submitted."""

from django.core.management.base import BaseCommand

from kpis.services import schedules_sync_contracts


class Command(BaseCommand):
    help = "Re-copy review schedules' category and live-until date from their contracts."

    def handle(self, *args, **options):
        count = schedules_sync_contracts()
        self.stdout.write(f"{count} review schedules synchronised with their contracts.")
