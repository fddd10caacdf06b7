"""The import's progress bar: rows read, then each announced step of the COPY path and the move,
with its percentage; the step is forgotten once the import is finished."""

import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook

from spend import importer, progress
from spend.models import ImportStatus, SpendImport
from spend.reader import SpendTable
from tests.factories import AuthorityFactory
from tests.hub.test_cache import REDIS_DOWN
from tests.spend.helpers import csv_bytes, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def authority():
    return AuthorityFactory(code="any", name="Anytown District Council")


def _running(authority, **counts) -> SpendImport:
    return SpendImport.objects.create(
        authority=authority, file_name="x.csv", content_hash="h", upload="x.csv",
        status=ImportStatus.RUNNING, **counts,
    )  # fmt: skip


def test_reading_fills_the_first_half_of_the_bar(authority):
    imp = _running(authority, total_rows=200, processed_rows=100)
    assert progress.progress_of(imp) == progress.Progress(25)
    imp.processed_rows = 200
    assert progress.progress_of(imp) == progress.Progress(50)
    imp.total_rows = 0  # Not known yet.
    assert progress.progress_of(imp) == progress.Progress(0)


def test_an_announced_step_sets_the_bar_and_its_label(authority):
    imp = _running(authority, total_rows=200, processed_rows=200)
    progress.announce(imp.pk, "payments")
    state = progress.progress_of(imp)
    assert state.step.key == "payments" and state.percent == 55
    progress.announce(imp.pk, "summaries")
    assert progress.progress_of(imp).percent == 91
    other = _running(authority, total_rows=10, processed_rows=1)
    assert progress.progress_of(other) == progress.Progress(5)  # Steps are per import.


def test_a_reading_step_never_moves_the_bar_back(authority):
    imp = _running(authority, total_rows=100, processed_rows=100)
    progress.announce(imp.pk, "checks")
    assert progress.progress_of(imp).percent == 50


def test_finished_is_full_whatever_was_announced(authority):
    imp = _running(authority, total_rows=10, processed_rows=3)
    progress.announce(imp.pk, "totals")
    imp.status = ImportStatus.FAILED
    assert progress.progress_of(imp) == progress.Progress(100)


def test_unknown_step_is_a_programming_error(authority):
    with pytest.raises(ValueError, match="unknown import step"):
        progress.announce(1, "coffee")


def test_a_cache_outage_never_fails_the_import(authority, settings):
    settings.CACHES = REDIS_DOWN
    imp = run_import(authority, csv_bytes("01/02/2024,R1,Acme,100,E1,Stationery"))
    assert imp.status == ImportStatus.DONE and imp.imported_rows == 1
    assert progress.progress_of(_running(authority, total_rows=4, processed_rows=2)).percent == 25


def test_an_import_announces_its_steps_in_order_then_forgets_them(authority, monkeypatch):
    announced = []
    real = progress.announce

    def spy(import_id, key):
        announced.append(key)
        real(import_id, key)

    monkeypatch.setattr(progress, "announce", spy)
    imp = run_import(authority, csv_bytes("01/02/2024,R1,Acme,100,E1,Stationery"))
    assert imp.status == ImportStatus.DONE
    move = ["payees", "payments", "totals", "summaries"]
    # PostgreSQL reads a CSV file through COPY, in two steps; SQLite reads it row by row.
    assert announced == (["copy", "checks", *move] if connection.vendor == "postgresql" else move)
    assert cache.get(f"spend:import:{imp.pk}:step") is None


def test_the_progress_fragment_shows_the_step_under_way(admin_client, authority):
    imp = _running(authority, total_rows=1000, processed_rows=400)
    url = reverse("spend:import_progress", args=[imp.pk])
    html = admin_client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in html and "20%" in html
    assert "400 of 1,000 rows read" in html and "import-step" not in html
    assert "reading fills the first half of the bar" in html  # 40% read shows as 20%.
    SpendImport.objects.filter(pk=imp.pk).update(processed_rows=1000)
    progress.announce(imp.pk, "payments")
    html = admin_client.get(url).content.decode()
    assert "55%" in html and "Matching contracts and saving payments" in html
    assert "1,000 rows read" in html
    detail = admin_client.get(imp.get_absolute_url()).content.decode()
    assert "Matching contracts and saving payments" in detail


def test_reading_row_by_row_moves_the_bar_before_the_end(authority, monkeypatch, settings):
    """The row path (XLSX, SQLite, a CSV that COPY refuses) knows an estimated total from the
    start, so the bar moves with every chunk instead of jumping at the end."""
    settings.SPEND_IMPORT_CHUNK_ROWS = 3
    monkeypatch.setattr(importer, "copy_stage", lambda *args: False)  # Row by row everywhere.
    seen = []
    real_writer = importer._staging_writer

    def writer(spend_import):
        write = real_writer(spend_import)

        def spy(rows):
            seen.append(progress.progress_of(SpendImport.objects.get(pk=spend_import.pk)))
            write(rows)

        return spy

    monkeypatch.setattr(importer, "_staging_writer", writer)
    lines = [f"0{1 + n % 9}/02/2024,R{n},Payee {n},{n + 1}00,E1,Stationery" for n in range(10)]
    imp = run_import(authority, csv_bytes(*lines[:5], "", *lines[5:]))  # A blank line counts.
    assert imp.status == ImportStatus.DONE and imp.total_rows == 10
    assert [state.percent for state in seen] == [0, 13, 27, 40]  # 50% × 3, 6, 9 of 11 lines.


def test_the_estimate_counts_lines_after_the_header():
    content = (
        b"Payments over 500\n\nDate,Reference,Supplier Name,Amount\n" + b"01/02/2024,R,A,1\n" * 7
    )
    table = SpendTable(io.BytesIO(content), "x.csv")
    assert table.layout.header_row == 3 and table.estimated_rows() == 7
    workbook = Workbook()
    workbook.active.append(["Date", "Reference", "Supplier Name", "Amount"])
    for n in range(12):
        workbook.active.append(["01/02/2024", f"R{n}", "A", n])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert SpendTable(io.BytesIO(buffer.getvalue()), "x.xlsx").estimated_rows() == 12
