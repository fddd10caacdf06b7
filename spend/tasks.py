"""Celery tasks of the spend app: thin wrappers over spend.services."""

from celery import shared_task

from spend import services


@shared_task(acks_late=True)
def run_spend_import(*, import_id: int) -> None:
    """Run a queued import. Safe to run twice: the import is claimed before it runs."""
    services.import_run(import_id=import_id)
