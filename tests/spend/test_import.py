"""Importing: nothing lost (rejects with row/column/value/reason), nothing doubled (file hash,
natural key), all-or-nothing vs keep-valid, atomicity, profiles."""

import datetime
import hashlib
import io
import re
from decimal import Decimal
from itertools import product

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse

from spend import importer, services
from spend.models import (
    ExpenseCode,
    ImportMode,
    ImportStatus,
    MappingProfile,
    Payee,
    SkipKind,
    SpendImport,
    SpendSummary,
    StagingRow,
    Transaction,
)
from tests.factories import AuthorityFactory
from tests.spend.helpers import DATA, csv_bytes, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def authority():
    return AuthorityFactory(code="any", name="Anytown District Council")


def test_cp1252_file_imports_valid_rows_and_lists_each_reject(authority):
    content = (DATA / "spend-cp1252-blank-rows.csv").read_bytes()
    imp = run_import(authority, content, "anytown.csv", mode=ImportMode.KEEP_VALID)
    assert imp.status == ImportStatus.DONE
    assert (imp.total_rows, imp.imported_rows, imp.rejected_rows) == (6, 4, 2)
    rejects = list(imp.rejects.values_list("row_number", "column", "value", "reason"))
    assert rejects == [
        (
            9,
            "Date Paid",
            "31/04/2024",
            "Date does not exist (read as day/month/year, or year-month-day)",
        ),
        (10, "Amount", "five hundred", "Amount is not a number"),
    ]
    amounts = dict(Transaction.objects.values_list("reference", "amount"))
    assert amounts == {
        "AT-1001": Decimal("1234.56"),
        "AT-1002": Decimal("-123.45"),  # A credit note stays negative.
        "AT-1003": Decimal("-12.00"),
        "AT-1006": Decimal("2500.00"),
    }
    tx = Transaction.objects.get(reference="AT-1001")
    assert tx.payment_date == datetime.date(2024, 4, 3)
    assert tx.supplier_name == "Café Société Ltd"
    assert tx.department == "Housing"
    # "Café Société Ltd" and "Café Société Limited" are one payee.
    assert Payee.objects.get(normalized_name="cafe societe").transaction_count == 2
    assert ExpenseCode.objects.get(key="R100").name == "Repairs & maintenance"


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(authority):
    content = (DATA / "spend-cp1252-blank-rows.csv").read_bytes()
    imp = run_import(authority, content, mode=ImportMode.ALL_OR_NOTHING)
    assert imp.status == ImportStatus.REJECTED
    assert imp.rejected_rows == 2 and imp.imported_rows == 0
    assert imp.rejects.count() == 2
    assert not Transaction.objects.exists()
    assert not StagingRow.objects.exists()


def test_rejects_download_as_csv(client, hub, authority):
    imp = run_import(authority, (DATA / "spend-cp1252-blank-rows.csv").read_bytes())
    client.force_login(hub.admin)
    response = client.get(f"/spend/imports/{imp.pk}/rejects.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "Row,Outcome,Column,Value,Reason"
    assert lines[1].startswith('9,Rejected,Date Paid,31/04/2024,"Date does not exist')
    assert lines[2] == "10,Rejected,Amount,five hundred,Amount is not a number"


def test_same_file_again_adds_nothing(authority):
    content = csv_bytes("01/02/2024,R1,Acme,100,E1,Stationery")
    first = run_import(authority, content)
    second = run_import(authority, content)
    assert first.status == ImportStatus.DONE and first.imported_rows == 1
    assert second.status == ImportStatus.DUPLICATE
    assert "imported already" in second.message
    assert Transaction.objects.count() == 1


def test_transactions_already_present_are_recognised_by_natural_key(authority):
    run_import(authority, csv_bytes("01/02/2024,R1,Acme Ltd,100,E1,Stationery"))
    # Another file (different bytes) repeating R1 (supplier spelt differently) plus a new row.
    imp = run_import(
        authority,
        csv_bytes("01/02/2024,R1,ACME LIMITED,100.00,E1,Stationery", "02/02/2024,R2,Acme,5,E1,"),
    )
    assert (imp.imported_rows, imp.duplicate_rows) == (1, 1)
    assert Transaction.objects.count() == 2
    # The row not imported again is listed, with the payment it matched.
    first = SpendImport.objects.order_by("pk").first()
    present = imp.rejects.get()
    assert (present.row_number, present.kind, present.value) == (
        2,
        SkipKind.PRESENT,
        f"as import #{first.pk}, row 2",
    )
    assert present.reason == importer.PRESENT_REASON
    # The same reference on another date or amount is another payment.
    imp = run_import(
        authority, csv_bytes("01/02/2024,R1,Acme,101,E1,", "01/03/2024,R1,Acme,100,E1,")
    )
    assert imp.imported_rows == 2
    # Each import adds only the payments it inserted to the payee's and code's totals.
    acme = Payee.objects.get(authority=authority, normalized_name="acme")
    assert (acme.total_spend, acme.transaction_count) == (Decimal("306.00"), 4)
    code = ExpenseCode.objects.get(authority=authority, key="E1")
    assert (code.total_spend, code.transaction_count) == (Decimal("306.00"), 4)


def test_duplicates_inside_one_file_are_imported_once_and_each_listed(authority, client, hub):
    """Three £500 grants to one payee on one day in a file without references: one payment by
    the natural key, and the two rows not imported are listed, so nothing goes unseen."""
    header = "Date,Supplier Name,Amount"
    rows = ["01/02/2024,Redacted personal data,500"] * 3 + ["02/02/2024,Acme,5"]
    imp = run_import(authority, csv_bytes(*rows, header=header))
    assert (imp.imported_rows, imp.duplicate_rows, imp.rejected_rows) == (2, 2, 0)
    assert list(imp.rejects.values_list("row_number", "kind", "value")) == [
        (3, SkipKind.PRESENT, "as row 2 of this file"),
        (4, SkipKind.PRESENT, "as row 2 of this file"),
    ]
    client.force_login(hub.admin)
    html = client.get(imp.get_absolute_url()).content.decode()
    assert "2 × Already present" in html and "rows not imported, with why (CSV)" in html
    text = b"".join(client.get(f"/spend/imports/{imp.pk}/rejects.csv").streaming_content)
    assert "3,Already present,,as row 2 of this file," in text.decode("utf-8-sig")


def test_of_two_equal_payments_in_a_file_the_first_is_kept(authority):
    """Rows are saved in natural-key order, not file order; the earlier row still wins."""
    imp = run_import(authority, csv_bytes(
        "02/02/2024,R9,Zed Co,5,Z1,Zed", "01/02/2024,R1,Acme,100,E2,Second code",
        "01/02/2024,R0,Acme,7,E1,First code", "01/02/2024,R1,Acme,100,E1,First code",
    ))  # fmt: skip
    assert (imp.imported_rows, imp.duplicate_rows) == (3, 1)
    kept = Transaction.objects.get(reference="R1")
    assert (kept.row_number, kept.expense_code.key) == (3, "E2")
    assert sorted(Transaction.objects.values_list("row_number", flat=True)) == [2, 3, 4]


def test_same_payment_for_two_authorities_is_two_payments(authority):
    other = AuthorityFactory(code="oth", name="Other Council")
    content = csv_bytes("01/02/2024,R1,Acme,100,,")
    assert run_import(authority, content).imported_rows == 1
    assert run_import(other, content).imported_rows == 1


def test_an_import_interrupted_midway_leaves_no_rows(authority, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(importer.summaries, "refresh", broken)
    with pytest.raises(RuntimeError):
        run_import(authority, csv_bytes("01/02/2024,R1,Acme,100,E1,Stationery"))
    assert not Transaction.objects.exists()
    assert not Payee.objects.exists()
    assert not StagingRow.objects.exists()
    assert SpendImport.objects.get().status == ImportStatus.FAILED


def test_running_an_import_twice_runs_it_once(authority):
    imp = run_import(authority, csv_bytes("01/02/2024,R1,Acme,100,,"))
    assert services.import_run(import_id=imp.pk) is None
    assert Transaction.objects.count() == 1


def test_corrected_mapping_and_profile_formats_are_used(authority):
    content = b"When,Who,How much,Ref\n12/31/2024,Acme,10,A\n"
    imp = services.import_create(
        authority=authority, fileobj=io.BytesIO(content), file_name="odd.csv"
    )
    assert imp.mapping == {"reference": "Ref"}  # Only "Ref" is a known header.
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.import_confirm(
            spend_import=imp,
            mapping={
                "date": "When",
                "supplier_name": "Who",
                "amount": "How much",
                "reference": "Ref",
            },
            mode=ImportMode.ALL_OR_NOTHING,
            date_formats="%m/%d/%Y",
            save_profile_as="Odd council",
        )
    imp.refresh_from_db()
    assert imp.status == ImportStatus.DONE and imp.imported_rows == 1
    assert Transaction.objects.get().payment_date == datetime.date(2024, 12, 31)
    # The next file with these columns picks the profile by itself: one click.
    profile = MappingProfile.objects.get(name="Odd council")
    nxt = services.import_create(
        authority=authority,
        fileobj=io.BytesIO(b"When,Who,How much,Ref\n01/15/2025,Acme,20,B\n"),
        file_name="odd2.csv",
    )
    assert nxt.profile == profile
    assert nxt.mapping["amount"] == "How much" and nxt.date_formats == "%m/%d/%Y"


def test_confirm_refuses_a_mapping_without_required_fields(authority):
    imp = services.import_create(
        authority=authority, fileobj=io.BytesIO(csv_bytes("01/02/2024,R1,Acme,1,,")), file_name="a"
    )
    with pytest.raises(ValueError, match="Map the payment date"):
        services.import_confirm(spend_import=imp, mapping={"date": "Date"}, mode="all")


def test_summaries_follow_imports(authority):
    run_import(authority, csv_bytes("01/02/2024,R1,Acme,100,,", "15/02/2024,R2,Acme,50,,",
                                    "01/03/2024,R3,Beta,7,,"))  # fmt: skip
    rows = {(s.month, s.payee.name): s.total for s in SpendSummary.objects.select_related("payee")}
    assert rows == {
        (datetime.date(2024, 2, 1), "Acme"): Decimal("150.00"),
        (datetime.date(2024, 3, 1), "Beta"): Decimal("7.00"),
    }


def test_management_command_imports_files_with_keep_valid(authority, capsys):
    path = DATA / "spend-cp1252-blank-rows.csv"
    call_command("import_spend", str(path), "--authority", "any", "--keep-valid")
    out = capsys.readouterr().out
    assert "imported 4, duplicates 0, rejected 2 of 6 rows" in out
    assert "1 × Amount is not a number" in out
    call_command("import_spend", str(path), "--authority", "any", "--keep-valid")
    assert "Same file already imported" in capsys.readouterr().out
    assert Transaction.objects.count() == 4


def test_management_command_all_or_nothing_fails_loudly(authority):
    with pytest.raises(CommandError, match="not imported"):
        call_command(
            "import_spend", str(DATA / "spend-cp1252-blank-rows.csv"), "--authority", "any"
        )
    assert not Transaction.objects.exists()


def test_management_command_checks_its_arguments(authority):
    with pytest.raises(CommandError, match="No authority"):
        call_command("import_spend", "x.csv", "--authority", "nope")
    with pytest.raises(CommandError, match="No mapping profile"):
        call_command("import_spend", "x.csv", "--authority", "any", "--profile", "nope")


def test_the_short_path_and_the_full_check_agree():
    from types import SimpleNamespace

    from spend.importer import RowParser

    headers = ["Date", "Ref", "Supplier", "Amount", "Code", "Category", "Dept"]
    imp = SimpleNamespace(
        pk=1,
        date_formats="",
        undated_as=datetime.date(2024, 3, 31),
        mapping={"date": "Date", "reference": "Ref", "supplier_name": "Supplier",
                 "amount": "Amount", "expense_code": "Code", "expense_category": "Category",
                 "department": "Dept"},
    )  # fmt: skip
    parser = RowParser(imp, headers)
    for day, amount in product(("03/04/2024", "00:00:00"), ("1,234.50", "-12", "7.5")):
        cells = [day, " R1 ", "Acme Ltd ", amount, "", "Repairs & Co", "Housing"]
        checked, _ = parser.check(2, cells)  # Also primes the date cache.
        fast, errors = parser(2, cells)
        assert fast == checked and not errors
        assert fast[-1] is (day == "00:00:00")  # Dated by assumption, on both paths.
    assert parser(3, ["03/04/2024", "R2", "Acme", "£5", "", "", ""])[0][5] == Decimal("5")
    assert parser(4, ["03/04/2024", "", "Acme", "5", "", "", ""])[1]  # No reference: rejected.


def test_huge_cells_are_rejected_not_fatal(authority):
    """A cell of several kilobytes in a mapped column (a pasted note, a broken export) is one
    rejected row, on both paths (PostgreSQL's COPY path keeps such values in its maps)."""
    # Random text: a long run of one character would compress below the index's limit.
    huge = "".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(100))  # 6,400
    imp = run_import(authority, csv_bytes(
        "01/02/2024,R1,Acme,100,E1,Stationery", f"01/02/2024,R2,Acme,{huge},E1,Stationery",
        f"{huge},R3,Acme,5,E1,Stationery", f"01/02/2024,R4,{huge},7,E1,Stationery",
    ))  # fmt: skip
    assert imp.status == ImportStatus.DONE
    assert (imp.imported_rows, imp.rejected_rows) == (1, 3)
    reasons = {r.row_number: r.column for r in imp.rejects.all()}
    assert reasons == {3: "Amount", 4: "Date", 5: "Supplier Name"}  # Never cut to fit.


def test_a_cp1252_file_whose_first_accent_is_on_its_last_line_imports_whole(authority):
    """The encoding is judged on the whole file, not its first kilobytes: 300 KB of ASCII rows,
    then one Windows-1252 "é" (on PostgreSQL, through COPY's WIN1252 reading)."""
    rows = [f"01/02/2024,R{i},Acme Ltd,10.00,E1,Stationery" for i in range(6_000)]
    rows.append("02/02/2024,LAST,Café Rouge,12.50,E1,Stationery")
    content = csv_bytes(*rows).decode().encode("cp1252")
    assert len(content) > 256 * 1024
    imp = run_import(authority, content)
    assert (imp.status, imp.imported_rows, imp.rejected_rows) == (ImportStatus.DONE, 6_001, 0)
    assert Transaction.objects.get(reference="LAST").supplier_name == "Café Rouge"


def test_misplaced_commas_and_fractions_of_pence_are_rejected_not_imported_wrong(authority):
    imp = run_import(authority, csv_bytes(
        '01/02/2024,R1,Acme,"1,234.56",E1,Stationery', '01/02/2024,R2,Acme,"1.234,56",E1,Stat',
        '01/02/2024,R3,Acme,"1,2",E1,Stat', "01/02/2024,R4,Acme,12.345,E1,Stat",
        "01/02/2024,R5,Acme,12.340,E1,Stat",
    ))  # fmt: skip
    assert (imp.imported_rows, imp.rejected_rows) == (2, 3)
    reasons = dict(imp.rejects.values_list("value", "reason"))
    assert reasons == {
        "1.234,56": "Amount is not a number",
        "1,2": "Amount is not a number",
        "12.345": "Amount has more than two decimal places",
    }
    amounts = dict(Transaction.objects.values_list("reference", "amount"))
    assert amounts == {"R1": Decimal("1234.56"), "R5": Decimal("12.34")}


def test_a_quote_left_open_fails_the_file_with_a_message_not_an_error(authority):
    """An opening quote that never closes swallows the rest of the file into one cell, past
    the CSV reader's limit: the upload says so, and nothing is imported."""
    rows = ['01/02/2024,R1,"Acme,10,E1,Stationery']
    rows += [f"01/02/2024,R{i},{'Acme Ltd ' * 20},10.00,E1,Stationery" for i in range(2, 2_000)]
    with pytest.raises(importer.UnreadableFile, match="quote left open"):
        services.import_create(
            authority=authority, fileobj=io.BytesIO(csv_bytes(*rows)), file_name="q.csv"
        )
    assert not Transaction.objects.exists()


def test_a_quote_left_open_below_the_preview_fails_the_import_with_its_line(authority):
    """Below the sample the layout is read from (256 KB), so only the import meets it."""
    rows = [f"01/02/2024,R{i},{'Acme Ltd ' * 20},10.00,E1,Stationery" for i in range(2, 3_000)]
    rows.insert(1_900, '01/02/2024,R1,"Acme,10,E1,Stationery')
    imp = run_import(authority, csv_bytes(*rows))
    assert imp.status == ImportStatus.FAILED
    assert "quote left open" in imp.message
    assert not Transaction.objects.exists()


def test_a_row_with_more_values_than_the_header_is_rejected_not_shifted(authority):
    """An unquoted comma inside a supplier name shifts the row's values: 'HANSON, AGGREGATES'
    would put 'AGGREGATES' where the next column is. Empty cells past the header are fine."""
    imp = run_import(authority, csv_bytes(
        "01/02/2024,R1,Acme,100,E1,Stationery",
        "01/02/2024,R2,HANSON, AGGREGATES,100,E1,Stationery",
        "01/02/2024,R3,Acme,7,E1,Stationery,,",
    ))  # fmt: skip
    assert (imp.status, imp.imported_rows, imp.rejected_rows) == (ImportStatus.DONE, 2, 1)
    reject = imp.rejects.get()
    assert (reject.row_number, reject.column, reject.value) == (3, "(after the last column)",
                                                                "Stationery")  # fmt: skip
    assert "7 cells, the others 6" in reject.reason
    assert reject.cells == ["01/02/2024", "R2", "HANSON", " AGGREGATES", "100", "E1", "Stationery"]
    assert set(Transaction.objects.values_list("reference", flat=True)) == {"R1", "R3"}


def test_rows_whose_body_names_another_authority_of_the_hub_are_rejected(authority):
    """A joint hub: a file uploaded for Anytown whose body column names the hub's other
    council. Those rows are not Anytown's payments; its own name, or an abbreviation the hub
    does not know ("ADC"), is Anytown."""
    AuthorityFactory(code="oth", name="Otherton Borough Council")
    header = "Body Name,Date,Reference,Supplier Name,Amount"
    imp = run_import(authority, csv_bytes(
        "Anytown District Council,01/02/2024,R1,Acme,100",
        "ADC,01/02/2024,R2,Acme,100",
        "Otherton Borough Council,01/02/2024,R3,Acme,100",
        "OTH,01/02/2024,R4,Acme,100",
        ",01/02/2024,R5,Acme,100",
        header=header,
    ))  # fmt: skip
    assert (imp.status, imp.imported_rows, imp.rejected_rows) == (ImportStatus.DONE, 3, 2)
    assert list(imp.rejects.values_list("row_number", "column", "reason")) == [
        (4, "Body Name", "Names another authority of this hub (Otherton Borough Council): "
                         "import its rows under that authority"),
        (5, "Body Name", "Names another authority of this hub (Otherton Borough Council): "
                         "import its rows under that authority"),
    ]  # fmt: skip
    assert set(Transaction.objects.values_list("reference", flat=True)) == {"R1", "R2", "R5"}


def test_a_file_with_only_a_header_says_there_is_nothing_to_import(authority, client, hub):
    imp = services.import_create(
        authority=authority, fileobj=io.BytesIO(csv_bytes()), file_name="empty.csv"
    )
    client.force_login(hub.admin)
    assert 'id="no-rows"' in client.get(imp.get_absolute_url()).content.decode()
    imp = run_import(authority, csv_bytes())
    assert imp.status == ImportStatus.FAILED
    assert imp.message == "The file has no rows below its header: nothing to import."


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_utf16_file_is_named_as_such(authority, encoding):
    content = csv_bytes("01/02/2024,R1,Acme,100,E1,Stationery").decode().encode(encoding)
    with pytest.raises(importer.UnreadableFile, match="UTF-16"):
        services.import_create(authority=authority, fileobj=io.BytesIO(content), file_name="u.csv")


def test_a_workbook_with_several_spend_sheets_says_which_one_is_imported(authority, client, hub):
    from openpyxl import Workbook

    workbook = Workbook()
    for title, ref in (("Jan", "R1"), ("Feb", "R2")):
        sheet = workbook.create_sheet(title)
        sheet.append(["Date", "Reference", "Supplier Name", "Amount"])
        sheet.append(["01/02/2024", ref, "Acme", 10])
    workbook["Sheet"].append(["Notes only"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    imp = services.import_create(authority=authority, fileobj=buffer, file_name="two.xlsx")
    assert (imp.detected["sheet"], imp.detected["other_sheets"]) == ("Jan", ["Feb"])
    client.force_login(hub.admin)
    html = client.get(imp.get_absolute_url()).content.decode()
    assert "Only the sheet “Jan” is imported" in html and "“Feb”" in html


def _running_import(authority, minutes_ago: int | None) -> SpendImport:
    """An import marked running `minutes_ago` (None: claimed before imports recorded when),
    with its rows staged in spend_stagingrow, as a worker killed mid-run leaves it."""
    import datetime

    from django.utils import timezone

    content = csv_bytes(f"01/02/2024,R{minutes_ago},Acme,100,E1,Stat")
    imp = services.import_create(
        authority=authority, file_name=f"{minutes_ago}.csv", fileobj=io.BytesIO(content)
    )
    ago = datetime.timedelta(minutes=minutes_ago or 90)
    SpendImport.objects.filter(pk=imp.pk).update(
        status=ImportStatus.RUNNING,
        started_at=None if minutes_ago is None else timezone.now() - ago,
        created_at=timezone.now() - ago,
    )
    importer.stage(imp, importer.SpendTable(imp.upload.open("rb"), imp.file_name))
    return imp


def test_an_import_whose_worker_died_is_failed_by_the_hourly_sweep(authority, settings,
                                                                    monkeypatch):  # fmt: skip
    """A worker killed mid-run (deploy, time limit, memory) leaves its import 'running' with
    staged rows (the row path's table; the COPY path's is the dead session's own). The sweep
    marks it failed and clears them; the file can then be imported again. An import claimed a
    moment ago is left alone."""
    from procurement_hub.celery import beat_schedule
    from spend import tasks

    monkeypatch.setattr(importer, "copy_stage", lambda *args: False)
    settings.CELERY_TASK_TIME_LIMIT = 30 * 60
    dead, before_0015, recent = (_running_import(authority, m) for m in (45, None, 1))
    assert StagingRow.objects.filter(spend_import=dead).exists()
    assert tasks.fail_stopped_imports() == 2
    dead.refresh_from_db()
    assert (dead.status, dead.message) == (ImportStatus.FAILED, services.STOPPED_MESSAGE)
    assert SpendImport.objects.get(pk=before_0015.pk).status == ImportStatus.FAILED
    assert not StagingRow.objects.filter(spend_import=dead).exists()
    assert SpendImport.objects.get(pk=recent.pk).status == ImportStatus.RUNNING
    assert tasks.fail_stopped_imports() == 0  # Safe to run twice.
    assert services.import_again(spend_import=dead).status == ImportStatus.PREVIEW
    schedule = beat_schedule()["hourly-stopped-spend-imports"]
    assert schedule["task"] == tasks.fail_stopped_imports.name


@pytest.mark.postgres_only
def test_the_sweep_leaves_a_long_import_whose_runner_is_alive(authority, monkeypatch):
    """`import_spend` runs in its own process with no time limit: while its session holds the
    import's run lock, however old the import, the sweep leaves it running."""
    import psycopg
    from django.db import connection

    monkeypatch.setattr(importer, "copy_stage", lambda *args: False)
    alive = _running_import(authority, 120)
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as runner:
        runner.execute("SELECT pg_advisory_lock(%s, %s)", [services.RUN_LOCK, alive.pk])
        assert services.imports_fail_stopped() == 0
        assert SpendImport.objects.get(pk=alive.pk).status == ImportStatus.RUNNING
    # Its session gone (a killed worker), the lock goes with it: once the server has ended
    # that backend, which it does just after the client hangs up (CI once swept too early).
    _wait_for_advisory_locks_to_go(services.RUN_LOCK, alive.pk)
    assert services.imports_fail_stopped() == 1


def _wait_for_advisory_locks_to_go(classid: int, objid: int, seconds: float = 10) -> None:
    import time

    from django.db import connection

    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
                "AND objid = %s", [classid, objid],
            )  # fmt: skip
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
    raise AssertionError(f"advisory lock ({classid}, {objid}) still held after {seconds} s")


@pytest.mark.postgres_only
def test_a_run_holds_its_lock_and_frees_it(authority, monkeypatch):
    """The runner holds the run lock during the run and gives it back after."""
    from django.db import connection

    def run_locks(import_id: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
                "AND objid = %s AND granted", [services.RUN_LOCK, import_id],
            )  # fmt: skip
            return cursor.fetchone()[0]

    held = []
    real_run = importer.run_import

    def run(spend_import):
        held.append(run_locks(spend_import.pk))
        return real_run(spend_import)

    monkeypatch.setattr(importer, "run_import", run)
    content = csv_bytes("01/02/2024,R1,Acme,100,E1,Stationery")
    imp = services.import_create(authority=authority, fileobj=io.BytesIO(content),
                                 file_name="l.csv")  # fmt: skip
    SpendImport.objects.filter(pk=imp.pk).update(status=ImportStatus.QUEUED)
    assert services.import_run(import_id=imp.pk).status == ImportStatus.DONE
    assert held == [1] and run_locks(imp.pk) == 0


def test_a_notes_column_without_a_heading_is_not_a_shift(authority):
    """Every row has a seventh cell under no heading (notes): that is the file's width, so only
    a row wider still would be shifted."""
    imp = run_import(authority, csv_bytes(
        "01/02/2024,R1,Acme,100,E1,Stationery,paid early", "01/02/2024,R2,Acme,5,E1,Stat,",
        "01/02/2024,R3,Acme,7,E1,Stat,note", "01/02/2024,R4,HANSON, AGGREGATES,7,E1,Stat,note",
    ))  # fmt: skip
    assert (imp.imported_rows, imp.rejected_rows) == (3, 1)
    assert imp.rejects.get().row_number == 5


def test_the_rejected_rows_come_back_under_the_files_columns_to_fix_and_import(
    authority, client, hub
):
    """Nothing lost: the rows to fix download holds the rejected rows as the file had them;
    corrected, it imports as a new file."""
    content = (DATA / "spend-cp1252-blank-rows.csv").read_bytes()
    imp = run_import(authority, content, "anytown.csv")
    assert imp.rejected_rows == 2
    client.force_login(hub.admin)
    assert "rows to fix" in client.get(imp.get_absolute_url()).content.decode()
    response = client.get(reverse("spend:import_rows_to_fix", args=[imp.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="anytown-rows-to-fix.csv"'
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # A BOM: Excel reads it as UTF-8.
    text = raw.decode("utf-8-sig")
    assert text.splitlines() == [
        "Service Area,Expense Type,Expenditure Code,Date Paid,Transaction Number,Amount,"
        "Supplier Name",
        "Leisure,Consultancy,C200,31/04/2024,AT-1004,500.00,Smith & Jones",
        "Leisure,Consultancy,C200,06/04/2024,AT-1005,five hundred,Smith and Jones LLP",
    ]
    fixed = text.replace("31/04/2024", "30/04/2024").replace("five hundred", "-500")
    again = run_import(authority, fixed.encode("utf-8-sig"), "anytown-fixed.csv")
    assert (again.status, again.imported_rows, again.rejected_rows) == (ImportStatus.DONE, 2, 0)
    assert Transaction.objects.get(reference="AT-1005").amount == Decimal("-500.00")


def test_the_rows_to_fix_file_name_keeps_to_safe_characters(authority, client, hub):
    bad = csv_bytes("01/02/2024,R1,Acme,abc,E1,Stationery")
    imp = run_import(authority, bad, 'q3 "final"\r\nSet-Cookie: x.csv')
    client.force_login(hub.admin)
    response = client.get(reverse("spend:import_rows_to_fix", args=[imp.pk]))
    assert response["Content-Disposition"] == (
        'attachment; filename="q3-final-Set-Cookie-x-rows-to-fix.csv"'
    )


def test_references_alike_in_their_first_100_characters_are_not_merged(authority):
    """Cut to 100 characters, the second payment used to be taken for "already present" and
    lost; now both rows are rejected with why, and a reference that fits imports as it is."""
    same = "INV-" + "0" * 96  # 100 characters.
    imp = run_import(authority, csv_bytes(
        f"01/02/2024,{same}1,Acme,10,E1,Stuff", f"01/02/2024,{same}2,Acme,20,E1,Stuff",
        f"01/02/2024,{same},Acme,30,E1,Stuff",
    ))  # fmt: skip
    assert (imp.imported_rows, imp.duplicate_rows, imp.rejected_rows) == (1, 0, 2)
    assert list(Transaction.objects.values_list("reference", "amount")) == [(same, 30)]
    reasons = set(imp.rejects.values_list("reason", flat=True))
    assert reasons == {"Transaction reference is longer than 100 characters: shorten it "
                       "(cut short, it could match another)"}  # fmt: skip


def test_an_iso_date_time_with_a_t_is_read_as_its_date(authority):
    """ISO dates are accepted, and so is "2024-02-01 10:15:00"; the ISO 8601 form with a "T"
    (what most systems export) is rejected as "not a date in a known format"."""
    imp = run_import(authority, csv_bytes("2024-02-01T10:15:00.000Z,R1,Acme,100,,"))
    assert (imp.imported_rows, imp.rejected_rows) == (1, 0)
    assert Transaction.objects.get().payment_date == datetime.date(2024, 2, 1)


BAD_1252 = b"Date,Reference,Supplier Name,Amount\r\n01/02/2024,R1,Caf\xe9 \x81 Ltd,5\r\n"


def test_a_byte_with_no_character_is_a_clear_message_on_upload_and_in_the_command(
    client, hub, tmp_path
):
    """0x81 is no character in Windows-1252: the upload form says so on its file field, and
    the command stops with the same words (not a traceback)."""
    authority = AuthorityFactory(code="any")
    client.force_login(hub.admin)
    upload = SimpleUploadedFile("bad.csv", BAD_1252)
    response = client.post(reverse("spend:import_new"), {"authority": authority.pk,
                                                          "file": upload})  # fmt: skip
    assert response.status_code == 200
    message = "holds a byte (0x81) that is no character in Windows-1252"
    assert message in response.content.decode()
    path = tmp_path / "bad.csv"
    path.write_bytes(BAD_1252)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import_spend", str(path), "--authority", "any")


def test_a_row_failing_several_checks_is_one_row_rejected_and_the_page_says_so(
    authority, client, hub
):
    imp = run_import(authority, csv_bytes("01/02/2024,R1,Acme,5,,", ",,,,,Notes"))
    assert (imp.imported_rows, imp.rejected_rows) == (1, 1)
    assert imp.rejects.count() == 4  # Date, reference, supplier and amount missing.
    client.force_login(hub.admin)
    page = client.get(imp.get_absolute_url()).content.decode()
    assert "these add up to more than the 1 row rejected" in page
    clean = run_import(authority, csv_bytes("02/02/2024,R2,Acme,5,,", "x,R3,Acme,5,,"))
    assert 'id="several-faults"' not in client.get(clean.get_absolute_url()).content.decode()
