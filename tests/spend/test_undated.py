"""Rows whose date cell holds no date (empty, or a time alone, as in Oxford's Apr-Jun 2014 file)
are rejected, unless the importer gives a date for them on the preview; then they import with
it, marked as assumed, on both the COPY path and the row path."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.test import TestCase
from django.urls import reverse

from spend import copy_stage, importer, services, withdrawal
from spend.models import (
    ImportMode,
    ImportStatus,
    SkipKind,
    SpendImport,
    SpendSummary,
    Transaction,
)
from spend.values import UNDATED, is_undated, period_end_from_name
from tests.factories import AuthorityFactory
from tests.spend.helpers import csv_bytes, run_import

pytestmark = pytest.mark.django_db

JUNE_END = datetime.date(2014, 6, 30)
ROWS = (
    "00:00:00,R1,Acme Ltd,100,P1,Printing",
    "0:00,R2,Acme Ltd,200,P1,Printing",
    ",R3,Acme Ltd,300,P1,Printing",  # No date at all.
    "02/05/2014,R4,Acme Ltd,400,P1,Printing",
    "someday,R5,Acme Ltd,500,P1,Printing",  # Not a date: a fault, never dated by assumption.
    "31/02/2014,R6,Acme Ltd,600,P1,Printing",
)


@pytest.mark.parametrize(
    ("name", "end"),
    [
        ("expenditure-over-500-apr-jun-2014.csv", JUNE_END),
        ("spend_March_2019.xlsx", datetime.date(2019, 3, 31)),
        ("Spend Sept 2020.csv", datetime.date(2020, 9, 30)),
        ("feb2016.csv", datetime.date(2016, 2, 29)),
        ("market-spend-2014.csv", None),  # "mar" inside a word is no month.
        ("q1-2014.csv", None),
        ("oct-2014-to-mar-2015.csv", None),  # Two years: no single period.
        # A financial year: Jan-Mar is in its second calendar year. Not guessed.
        ("spend-2014-15-q4-jan-mar.csv", None),
        ("Spend 2014/15 Jan-Mar.csv", None),
        ("spend_2014_15_march.csv", None),
        ("spend-march-2014-06.csv", None),  # "2014-06": a month, not a year; not guessed.
        ("spend.csv", None),
    ],
)
def test_period_end_from_a_file_name(name, end):
    assert period_end_from_name(name) == end


@pytest.mark.parametrize(
    ("raw", "undated"),
    [("", True), ("  ", True), ("00:00:00", True), ("0:00", True), ("12:30:00.000", True),
     ("02/05/2014", False), ("00:00:00 x", False), ("someday", False)],
)  # fmt: skip
def test_which_cells_hold_no_date(raw, undated):
    assert is_undated(raw) is undated


def _outcome(imp):
    payments = sorted(
        Transaction.objects.filter(spend_import=imp).values_list(
            "reference", "payment_date", "month", "date_assumed"
        )
    )
    rejects = sorted(imp.rejects.values_list("row_number", "value", "reason"))
    return payments, rejects, (imp.status, imp.imported_rows, imp.rejected_rows, imp.undated_rows)


def test_without_a_date_for_them_undated_rows_are_rejected_and_say_how_to_import_them():
    imp = run_import(AuthorityFactory(), csv_bytes(*ROWS), undated_as=None)
    payments, rejects, counts = _outcome(imp)
    assert payments == [("R4", datetime.date(2014, 5, 2), datetime.date(2014, 5, 1), False)]
    assert [r[:2] for r in rejects] == [(2, "00:00:00"), (3, "0:00"), (4, ""), (6, "someday"),
                                        (7, "31/02/2014")]  # fmt: skip
    assert rejects[0][2] == rejects[1][2] == UNDATED
    assert rejects[2][2] == "Date is missing"
    assert counts == (ImportStatus.DONE, 1, 5, 0)


def test_a_date_for_undated_rows_dates_them_marked_as_assumed_and_only_them():
    authority = AuthorityFactory()
    imp = run_import(authority, csv_bytes(*ROWS), undated_as=JUNE_END)
    payments, rejects, counts = _outcome(imp)
    june = datetime.date(2014, 6, 1)
    assert payments == [
        ("R1", JUNE_END, june, True),
        ("R2", JUNE_END, june, True),
        ("R3", JUNE_END, june, True),
        ("R4", datetime.date(2014, 5, 2), datetime.date(2014, 5, 1), False),
    ]
    assert [r[:2] for r in rejects] == [(6, "someday"), (7, "31/02/2014")]
    assert counts == (ImportStatus.DONE, 4, 2, 3)
    # The summaries hold them in the month of their assumed date.
    by_month = dict(
        SpendSummary.objects.filter(authority=authority)
        .values("month").annotate(total=Sum("total")).values_list("month", "total")
    )  # fmt: skip
    assert by_month == {june: 600, datetime.date(2014, 5, 1): 400}


@pytest.mark.postgres_only
def test_copy_path_and_row_path_date_undated_rows_alike(monkeypatch):
    outcomes, used = [], []
    for copy in (True, False):

        def spy(*args, copy=copy):
            used.append(copy and copy_stage.copy_stage(*args))
            return used[-1]

        monkeypatch.setattr(importer, "copy_stage", spy)
        imp = run_import(AuthorityFactory(), csv_bytes(*ROWS), undated_as=JUNE_END)
        payments, rejects, counts = _outcome(imp)
        outcomes.append((payments, rejects, counts))
    assert used == [True, False]
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][2] == (ImportStatus.DONE, 4, 2, 3)


def test_all_or_nothing_counts_undated_rows_as_faults_only_without_a_date_for_them():
    content = csv_bytes("00:00:00,R1,Acme Ltd,100,P1,Printing")
    rejected = run_import(AuthorityFactory(), content, mode=ImportMode.ALL_OR_NOTHING,
                          undated_as=None)  # fmt: skip
    assert (rejected.status, rejected.imported_rows) == (ImportStatus.REJECTED, 0)
    dated = run_import(AuthorityFactory(), content, mode=ImportMode.ALL_OR_NOTHING,
                       undated_as=JUNE_END)  # fmt: skip
    assert (dated.status, dated.imported_rows, dated.undated_rows) == (ImportStatus.DONE, 1, 1)


def test_the_preview_offers_the_period_end_of_the_file_name_only_for_undated_files():
    authority = AuthorityFactory()

    def preview(name, *rows):
        return services.import_create(
            authority=authority, fileobj=io.BytesIO(csv_bytes(*rows)), file_name=name
        )

    assert preview("spend-apr-jun-2014.csv", *ROWS[:3]).undated_as == JUNE_END
    # Dated rows: nothing to offer, whatever the name says.
    assert preview("spend-apr-jun-2014.csv", ROWS[3]).undated_as is None
    # Undated rows, but a name with no period: nothing offered, so they are rejected.
    assert preview("spend.csv", *ROWS[:3]).undated_as is None


def test_preview_page_warns_of_undated_rows_and_the_choice_can_be_cleared(
    client, hub, django_capture_on_commit_callbacks
):
    client.force_login(hub.admin)
    authority = AuthorityFactory()
    upload = SimpleUploadedFile("spend-apr-jun-2014.csv", csv_bytes(*ROWS[:3]))
    response = client.post(reverse("spend:import_new"),
                           {"authority": authority.pk, "file": upload})  # fmt: skip
    imp = authority_import = SpendImport.objects.get(authority=authority)
    assert response.status_code == 302
    page = client.get(reverse("spend:import_detail", args=[imp.pk])).content.decode()
    assert 'id="undated"' in page and "3 of the rows above have no date" in page
    assert 'name="undated_as" value="2014-06-30"' in page
    form = {f"map_{k}": v for k, v in imp.mapping.items()} | {"mode": ImportMode.KEEP_VALID}
    # Cleared: the user chose to reject them (all or nothing: the file is then rejected).
    with django_capture_on_commit_callbacks(execute=True):
        cleared = form | {"undated_as": "", "mode": ImportMode.ALL_OR_NOTHING}
        response = client.post(reverse("spend:import_detail", args=[imp.pk]), cleared)
    assert response.status_code == 302
    authority_import.refresh_from_db()
    assert authority_import.status == ImportStatus.REJECTED
    assert (authority_import.imported_rows, authority_import.rejected_rows) == (0, 3)
    # A date out of range is a field error, and nothing is imported.
    again = services.import_again(spend_import=authority_import)
    response = client.post(reverse("spend:import_detail", args=[again.pk]),
                           form | {"undated_as": "1066-10-14"})  # fmt: skip
    assert response.status_code == 200
    assert "Enter a date between" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("spend:import_detail", args=[again.pk]),
                    form | {"undated_as": "2014-06-30"})  # fmt: skip
    again.refresh_from_db()
    assert (again.imported_rows, again.undated_rows) == (3, 3)
    page = client.get(reverse("spend:import_detail", args=[again.pk])).content.decode()
    assert 'id="undated-rows"' in page and "Dated 30 Jun 2014" in page
    # The payments list and each payment say the date is assumed; the export says so too.
    listing = client.get(reverse("spend:transactions")).content.decode()
    assert listing.count(">assumed</span>") == 3
    payment = Transaction.objects.filter(spend_import=again).first()
    detail = client.get(payment.get_absolute_url()).content.decode()
    assert 'id="date-assumed"' in detail
    response = client.get(reverse("spend:transaction_export"))
    export = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = export.splitlines()
    assert lines[0].endswith(",Date assumed")
    assert [line.rsplit(",", 1)[1] for line in lines[1:]] == ["yes"] * 3


def test_import_spend_command_dates_undated_rows_only_when_asked(tmp_path):
    AuthorityFactory(code="any")
    path = tmp_path / "spend-apr-jun-2014.csv"
    path.write_bytes(csv_bytes(*ROWS[:3]))
    out = io.StringIO()
    with pytest.raises(Exception, match="not imported"):
        call_command("import_spend", str(path), "--authority", "any", stdout=out)
    assert "imported 0" in out.getvalue()
    out = io.StringIO()
    call_command("import_spend", str(path), "--authority", "any", "--undated-as", "period-end",
                 stdout=out)  # fmt: skip
    assert "imported 3" in out.getvalue()
    assert set(Transaction.objects.values_list("payment_date", "date_assumed")) == {
        (JUNE_END, True)
    }


def test_the_corrected_file_of_an_undated_period_does_not_count_its_payments_twice():
    authority = AuthorityFactory()
    header = "Paid Date,Trans No,Supplier Name,Amount"
    undated = csv_bytes("00:00:00,T1,Acme Ltd,1500", "00:00:00,T2,Beta Ltd,2000", header=header)
    first = run_import(authority, undated, "expenditure-apr-jun-2014.csv")
    assert (first.undated_as, first.undated_rows) == (JUNE_END, 2)  # As the preview offered.
    # The council republishes the quarter with its dates: the same two payments.
    fixed = csv_bytes("07/04/2014,T1,Acme Ltd,1500", "12/05/2014,T2,Beta Ltd,2000", header=header)
    second = run_import(authority, fixed, "expenditure-apr-jun-2014-corrected.csv")
    assert Transaction.objects.count() == 2
    # The payments took the real dates, in their months; each import counts them right.
    assert sorted(Transaction.objects.values_list("reference", "payment_date", "date_assumed")) == [
        ("T1", datetime.date(2014, 4, 7), False), ("T2", datetime.date(2014, 5, 12), False)
    ]  # fmt: skip
    assert (second.imported_rows, second.duplicate_rows) == (0, 2)
    assert "2 payments that an earlier file gave no date took this file's dates" in second.message
    first.refresh_from_db()
    assert first.undated_rows == 0
    assert first.months == ["2014-04-01", "2014-05-01", "2014-06-01"]
    months = dict(
        SpendSummary.objects.filter(authority=authority)
        .values("month").annotate(total=Sum("total")).values_list("month", "total")
    )  # fmt: skip
    assert months == {datetime.date(2014, 4, 1): 1500, datetime.date(2014, 5, 1): 2000}
    # Withdrawing the undated import hands them to the corrected one, with their real dates.
    with TestCase.captureOnCommitCallbacks(execute=True):
        withdrawal.request(spend_import=first, by=None, reason="Superseded")
    second.refresh_from_db()
    assert (second.imported_rows, Transaction.objects.count()) == (2, 2)


def test_an_undated_file_after_its_dated_one_adds_nothing_and_says_why():
    authority = AuthorityFactory()
    header = "Paid Date,Trans No,Supplier Name,Amount"
    run_import(authority, csv_bytes("07/04/2014,T1,Acme Ltd,1500", header=header), "dated.csv")
    undated = run_import(authority, csv_bytes("00:00:00,T1,Acme Ltd,1500", "00:00:00,T9,Acme Ltd,9",
                                              header=header), "spend-apr-jun-2014.csv")  # fmt: skip
    assert (undated.imported_rows, undated.duplicate_rows, undated.undated_rows) == (1, 1, 1)
    [skipped] = undated.rejects.all()
    assert (skipped.row_number, skipped.kind) == (2, SkipKind.PRESENT)
    assert skipped.value.startswith("as import #") and "gave the row no date" in skipped.reason
    assert Transaction.objects.get(reference="T1").payment_date == datetime.date(2014, 4, 7)


def test_distinct_undated_payments_are_not_merged_as_duplicates():
    header = "Date,Supplier Name,Amount,Expense Code,Expense Category"  # No reference column.
    content = csv_bytes(
        "00:00:00,Acme Ltd,500,P1,Printing",
        "00:00:00,Acme Ltd,500,C7,Cleaning",  # Another payment: another code.
        header=header,
    )
    # With no reference, they cannot be told apart once dated alike: not offered, and refused.
    imp = run_import(AuthorityFactory(), content, "spend-apr-jun-2014.csv")
    assert (imp.undated_as, imp.imported_rows, imp.rejected_rows) == (None, 0, 2)
    with pytest.raises(ValueError, match="transaction reference column"):
        run_import(AuthorityFactory(), content, "spend-apr-jun-2014.csv", undated_as=JUNE_END)


def test_a_date_for_undated_rows_outside_the_payment_years_is_refused_by_the_command(tmp_path):
    AuthorityFactory(code="any")
    path = tmp_path / "spend-apr-jun-2014.csv"
    path.write_bytes(csv_bytes("00:00:00,R1,Acme Ltd,100,P1,Printing"))
    with pytest.raises(CommandError, match="1990–2100"):
        # 1914 for 2014: "30/06/1914" in the file itself is rejected as outside the years.
        call_command("import_spend", str(path), "--authority", "any",
                     "--undated-as", "1914-06-30", stdout=io.StringIO())  # fmt: skip
    assert not Transaction.objects.filter(payment_date__year=1914).exists()


def test_the_preview_form_refuses_a_date_for_undated_rows_outside_the_payment_years(client, hub):
    client.force_login(hub.admin)
    imp = services.import_create(
        authority=AuthorityFactory(), file_name="spend-apr-jun-2014.csv",
        fileobj=io.BytesIO(csv_bytes("00:00:00,R1,Acme Ltd,100,P1,Printing")),
    )  # fmt: skip
    form = {f"map_{k}": v for k, v in imp.mapping.items()} | {
        "mode": ImportMode.KEEP_VALID, "undated_as": "1914-06-30"}  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("spend:import_detail", args=[imp.pk]), form)
    assert response.status_code == 200  # The form says why; nothing is imported.
    assert "Give a date in the years 1990–2100" in response.content.decode()
    assert not Transaction.objects.filter(payment_date__year=1914).exists()


def test_command_period_end_does_not_refuse_a_file_with_no_undated_rows(tmp_path):
    AuthorityFactory(code="any")
    undated = tmp_path / "spend-apr-jun-2014.csv"
    undated.write_bytes(csv_bytes("00:00:00,R1,Acme Ltd,100,P1,Printing"))
    dated = tmp_path / "spend.csv"  # Every row dated: nothing for period-end to do.
    dated.write_bytes(csv_bytes("02/05/2014,R2,Beta Ltd,200,P1,Printing"))
    call_command("import_spend", str(undated), str(dated), "--authority", "any",
                 "--undated-as", "period-end", stdout=io.StringIO())  # fmt: skip
    assert set(Transaction.objects.values_list("reference", flat=True)) == {"R1", "R2"}
    # And no import is left hanging in preview.
    assert not SpendImport.objects.filter(status=ImportStatus.PREVIEW).exists()


def test_the_dashboard_says_which_month_holds_payments_dated_by_assumption(client, hub):
    authority = AuthorityFactory()
    run_import(authority, csv_bytes(*ROWS[:3]), "spend-apr-jun-2014.csv")
    client.force_login(hub.admin)
    url = reverse("spend:dashboard")
    page = client.get(url).content.decode()
    assert 'id="assumed-dates"' in page
    assert "Jun 2014 includes 3 payments whose file (spend-apr-jun-2014.csv) gave no date" in page
    # Not in a period that leaves that day out.
    later = client.get(url, {"date_from": "2014-07-01", "date_to": "2014-12-31"}).content
    assert b'id="assumed-dates"' not in later
