"""The 17 real Oxford City Council files, read in place from ../shared/data: every file maps
by itself, imports in one call, and gives these counts (see bench/RESULTS.md for the reasons)."""

import datetime

import pytest

from spend import services
from spend.mapping import missing_required
from spend.models import ExpenseCode, ImportMode, ImportStatus, Transaction
from tests.conftest import shared_data
from tests.factories import AuthorityFactory
from tests.spend.helpers import run_import

pytestmark = pytest.mark.django_db

# file stem -> (rows read, imported, already present, rejected)
EXPECTED = {
    # Its Paid Date column holds only "00:00:00": the preview offers the file name's period
    # end (30 Jun 2014) for undated rows, and one click imports them so dated.
    "apr-jun-2014": (3836, 3836, 0, 0),
    "apr-jun-2015": (3993, 3993, 0, 0),
    "apr-jun-2016": (3335, 3255, 0, 80),
    "apr-jun-2017": (4052, 4050, 0, 2),
    "jan-mar-2014": (3860, 3859, 0, 1),
    "jan-mar-2015": (3864, 3864, 0, 0),
    "jan-mar-2016": (3908, 3908, 0, 0),
    "jan-mar-2017": (3913, 3913, 0, 0),
    "jan-mar-2018": (1220, 1211, 0, 9),
    "jul-sep-2014": (3649, 3649, 0, 0),
    "jul-sep-2015": (3461, 3459, 2, 0),
    "jul-sep-2016": (3581, 3542, 0, 39),
    "jul-sep-2017": (3259, 3259, 0, 0),
    "oct-dec-2014": (3978, 3978, 0, 0),
    "oct-dec-2015": (3918, 3918, 0, 0),
    "oct-dec-2016": (3847, 3846, 0, 1),
    "oct-dec-2017": (3855, 3786, 0, 69),
}


def oxford_files():
    folder = shared_data("oxford-city-council-spend")
    files = sorted(folder.glob("expenditure-over-500-*.csv"))
    assert len(files) == 17
    return files


def test_every_oxford_file_maps_itself_and_imports_in_one_call():
    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    results, undated = {}, {}
    for path in oxford_files():
        content = path.read_bytes()
        imp = run_import(authority, content, path.name, mode=ImportMode.KEEP_VALID)
        assert not missing_required(imp.mapping), path.name
        assert imp.status == ImportStatus.DONE, (path.name, imp.message)
        stem = path.stem.removeprefix("expenditure-over-500-")
        results[stem] = (imp.total_rows, imp.imported_rows, imp.duplicate_rows, imp.rejected_rows)
        undated[stem] = (imp.undated_as, imp.undated_rows)
    assert results == EXPECTED
    assert {stem: v for stem, v in undated.items() if v != (None, 0)} == {
        "apr-jun-2014": (datetime.date(2014, 6, 30), 3836)
    }
    assert Transaction.objects.count() == sum(v[1] for v in EXPECTED.values())
    # The Jul-Sep 2017 file has no category column: its codes still import, and take their
    # names from the other files; three codes appear in no other file and stay unnamed.
    unnamed = ExpenseCode.objects.filter(authority=authority, name="")
    assert set(unnamed.values_list("code", flat=True)) == {"J8321", "A0900", "K9467"}
    # Re-importing a file adds nothing.
    again = run_import(authority, oxford_files()[1].read_bytes(), "again.csv")
    assert again.status == ImportStatus.DUPLICATE


def test_oxford_headers_are_mapped_without_a_profile():
    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    for path in oxford_files():
        with path.open("rb") as fileobj:
            imp = services.import_create(authority=authority, fileobj=fileobj, file_name=path.name)
        assert {"date", "amount", "supplier_name", "reference", "expense_code"} <= set(imp.mapping)
        has_category = "jul-sep-2017" not in path.name
        assert ("expense_category" in imp.mapping) == has_category, path.name


def test_after_the_first_file_of_each_layout_every_next_file_takes_its_profile():
    """One click each after the first: the first file of each column layout is confirmed with
    "save as profile"; every later file picks that profile by itself, whatever the spelling of
    its headers ("Paid Date" in one quarter, "paid_date" in the next), and maps completely."""
    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    picked = 0
    for number, path in enumerate(oxford_files()):
        with path.open("rb") as fileobj:
            imp = services.import_create(authority=authority, fileobj=fileobj, file_name=path.name)
        assert not missing_required(imp.mapping), path.name
        assert imp.mapping == imp.detected["auto_mapping"], path.name
        if imp.profile is None:
            services.profile_save(name=f"Oxford layout {number}", authority=authority,
                                  mapping=imp.mapping, headers=imp.detected["headers"])  # fmt: skip
        else:
            picked += 1
    assert picked == 7  # 17 files in 10 layouts.


def test_a_profile_saved_on_paid_date_imports_a_paid_date_file_in_one_click():
    authority = AuthorityFactory(code="oxf", name="Oxford City Council")
    folder = shared_data("oxford-city-council-spend")
    first = run_import(authority, (folder / "expenditure-over-500-jul-sep-2014.csv").read_bytes(),
                       "jul-sep-2014.csv")  # fmt: skip
    assert first.mapping["date"] == "Paid Date"
    profile = services.profile_save(
        name="Oxford quarterly", authority=authority, mapping=first.mapping,
        headers=first.detected["headers"],
    )  # fmt: skip
    nxt = run_import(authority, (folder / "expenditure-over-500-oct-dec-2014.csv").read_bytes(),
                     "oct-dec-2014.csv")  # fmt: skip
    assert nxt.profile == profile
    assert nxt.mapping["date"] == "paid_date"
    assert (nxt.status, nxt.imported_rows) == (ImportStatus.DONE, EXPECTED["oct-dec-2014"][1])
