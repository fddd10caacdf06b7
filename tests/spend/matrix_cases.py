"""Permission-matrix cases for the spend app's views (see tests/matrix.py).

Spend pages are for signed-in staff; uploads, mapping and matching for hub administrators and
heads of category. The spend objects are made on first use, from the matrix's world."""

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.matrix import STAFF, Case

MANAGERS = frozenset({"head", "admin"})


def _manager_post(name: str, url, data=None) -> Case:
    """A form only spend managers may post; it redirects when done."""
    return Case(name, url, MANAGERS, method="post", data=data, ok=frozenset({302}))


SAMPLE = (
    b"Paid Date,Trans No,Supplier Name,Amount,Expense Code,Expenditure Category\n"
    b"01/02/2026,R1,Acme Printing Ltd,100.00,P100,Printing\n"
    b"02/02/2026,R2,Unknown Supplier,50.00,P100,Printing\n"
    b"bad,R3,Unknown Supplier,50.00,P100,Printing\n"
)


def spend(world) -> SimpleNamespace:
    if not hasattr(world, "spend"):
        import io

        from spend import services
        from spend.models import ExpenseCode, Payee, Transaction
        from tests.spend.helpers import run_import

        imp = run_import(world.authority, SAMPLE, "sample.csv")
        preview = services.import_create(
            authority=world.authority, fileobj=io.BytesIO(SAMPLE + b"\n"), file_name="p.csv"
        )
        rejected = run_import(world.authority, SAMPLE + b"\n\n", "r.csv", mode="all")
        world.spend = SimpleNamespace(
            imp=imp,
            preview=preview,
            rejected=rejected,
            tx=Transaction.objects.order_by("pk").first(),
            payee=Payee.objects.get(vendor__isnull=True),
            code=ExpenseCode.objects.get(),
        )
    return world.spend


def _upload(world):
    return {
        "authority": world.authority.pk,
        "file": SimpleUploadedFile("upload.csv", SAMPLE, content_type="text/csv"),
    }


def _confirm(world):
    return {
        "map_date": "Paid Date", "map_reference": "Trans No", "map_supplier_name": "Supplier Name",
        "map_amount": "Amount", "mode": "valid",
    }  # fmt: skip


def _url(name, attr=None):
    def url(world):
        if attr is None:
            spend(world)
            return reverse(name)
        return reverse(name, args=[getattr(spend(world), attr).pk])

    return url


CASES = [
    Case("spend dashboard", _url("spend:dashboard"), STAFF),
    Case("spend export", lambda w: reverse("spend:export", args=["category"]), STAFF),
    Case("spend off-contract", _url("spend:off_contract"), STAFF),
    Case("spend contract burn", _url("spend:contract_burn"), STAFF),
    Case("spend payments", _url("spend:transactions"), STAFF),
    Case("spend payments export", _url("spend:transaction_export"), STAFF),
    Case("spend payment", _url("spend:transaction_detail", "tx"), STAFF),
    Case("spend imports", _url("spend:imports"), MANAGERS),
    Case("spend upload form", _url("spend:import_new"), MANAGERS),
    _manager_post("spend upload", _url("spend:import_new"), data=_upload),
    Case("spend import", _url("spend:import_detail", "imp"), MANAGERS),
    Case("spend import preview", _url("spend:import_detail", "preview"), MANAGERS),
    _manager_post("spend import confirm", _url("spend:import_detail", "preview"), data=_confirm),
    Case("spend import progress", _url("spend:import_progress", "imp"), MANAGERS),
    _manager_post("spend import again", _url("spend:import_again", "rejected")),
    _manager_post(
        "spend withdraw import",
        _url("spend:import_withdraw", "imp"),
        data=lambda world: {"reason": "Imported under the wrong council"},
    ),
    Case("spend import rejects", _url("spend:import_rejects", "imp"), MANAGERS),
    Case("spend import rows to fix", _url("spend:import_rows_to_fix", "imp"), MANAGERS),
    Case("spend unmatched payees", _url("spend:payees"), MANAGERS),
    _manager_post(
        "spend confirm payee",
        _url("spend:payee_confirm", "payee"),
        data=lambda w: {"vendor": w.vendor.pk},
    ),
    _manager_post("spend unmatch payee", _url("spend:payee_unmatch", "payee")),
    _manager_post("spend set payee aside", _url("spend:payee_set_aside", "payee")),
    Case("spend expense codes", _url("spend:expense_codes"), MANAGERS),
    _manager_post(
        "spend map expense code",
        _url("spend:expense_code_update", "code"),
        data=lambda w: {"category": w.hub.category.pk},
    ),
    # The contract and vendor pages show spend to signed-in staff only (tests/spend/test_views).
]
# Spend is never public, even with HUB_PUBLIC_INDEX on.
PUBLIC_INDEX_OPEN: list = []
