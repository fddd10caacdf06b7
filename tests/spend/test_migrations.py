"""Migrations 0010-0011 swap indexes for partial ones (procurement_hub.db.ReplaceIndex): built
CONCURRENTLY on PostgreSQL, a plain drop and create on SQLite; both ways work."""

from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import NotSupportedError, connection, transaction

from procurement_hub.db import ReplaceIndex
from spend.models import Transaction

pytestmark = pytest.mark.django_db(transaction=True)

INDEXES = ["spend_tx_cat_date_idx", "spend_sum_pillar_month_idx", "spend_sy_cat_year_idx"]


def _definitions() -> dict[str, str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)", [INDEXES]
            )
        else:
            marks = ", ".join(["%s"] * len(INDEXES))
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({marks})",
                INDEXES,
            )
        return dict(cursor.fetchall())


def test_partial_indexes_go_back_and_forth():
    assert all(" WHERE " in sql for sql in _definitions().values())
    assert len(_definitions()) == len(INDEXES)
    try:
        call_command("migrate", "spend", "0009", verbosity=0)
        before = _definitions()
        assert len(before) == len(INDEXES)
        assert not any(" WHERE " in sql for sql in before.values())
    finally:
        call_command("migrate", "spend", verbosity=0)
    after = _definitions()
    assert len(after) == len(INDEXES) and all(" WHERE " in sql for sql in after.values())


@pytest.mark.postgres_only
def test_a_concurrent_swap_refuses_to_run_inside_a_transaction():
    state = SimpleNamespace(apps=SimpleNamespace(get_model=lambda app, model: Transaction))
    operation = ReplaceIndex("transaction", None, None)
    with (
        transaction.atomic(),
        connection.schema_editor(atomic=False) as editor,
        pytest.raises(NotSupportedError, match="atomic = False"),
    ):
        operation.database_forwards("spend", editor, None, state)
