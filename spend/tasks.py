"""Celery tasks of the spend app: thin wrappers over spend.services and spend.matching."""

from celery import shared_task
from django.db import OperationalError

from spend import matching, services, summaries, withdrawal

# Tasks that rewrite payments and summaries: retried after a deadlock with a concurrent
# re-match or import, say.
REMATCH_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": 60,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(acks_late=True)
def run_spend_import(*, import_id: int) -> None:
    """Run a queued import. Safe to run twice: the import is claimed before it runs."""
    services.import_run(import_id=import_id)


@shared_task(**REMATCH_OPTIONS)
def rematch_vendor_spend(*, vendor_ids: list[int]) -> None:
    """Re-match the vendors' payments after a contract changed (contracts.services queues it).
    Safe to run twice: it recomputes from the contracts as they are."""
    matching.rematch_vendors(vendor_ids=vendor_ids)


@shared_task(**REMATCH_OPTIONS)
def match_vendor_payees(*, vendor_id: int) -> None:
    """A vendor was created or renamed, or gained an alias or registration id (its admin
    queues this): unmatched payees it now names match it. Safe to run twice."""
    matching.match_payees_for_vendor(vendor_id=vendor_id)


@shared_task(**REMATCH_OPTIONS)
def repoint_category_spend(*, category_id: int) -> None:
    """A category moved to another pillar (its admin queues this): the spend summaries follow.
    Safe to run twice: it sets each row to the category's pillar as it is."""
    summaries.repoint_category(category_id=category_id)


@shared_task
def fail_stopped_imports() -> int:
    """Hourly: imports whose worker died mid-run are marked failed, so they can be run again."""
    return services.imports_fail_stopped()


@shared_task(**REMATCH_OPTIONS)
def withdraw_spend_import(*, import_id: int) -> None:
    """Withdraw an import marked as being withdrawn (spend.withdrawal.request queues this).
    Safe to run twice: an import already withdrawn is left as it is."""
    withdrawal.withdraw(import_id=import_id)
