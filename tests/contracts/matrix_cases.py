from django.core.files.base import ContentFile
from django.urls import reverse

from tests.matrix import EDITORS_OF_OWN_CATEGORY, STAFF, Case

CREATORS = frozenset({"sourcing", "head", "admin"})
EDITORS_OF_OTHER_CATEGORY = frozenset({"other_cm", "admin"})


def _edit_data(contract):
    def data(world):
        c = getattr(world, contract)
        return {
            "reference": c.reference,
            "title": c.title + " (edited)",
            "category": c.category_id,
            "authorities": [world.authority.pk],
            "kind": c.kind,
            "status": c.status,
            "start_date": c.start_date.isoformat(),
            "end_date": c.end_date.isoformat(),
            "currency": "GBP",
            "is_public": "on" if c.is_public else "",
            "awards-TOTAL_FORMS": "0",
            "awards-INITIAL_FORMS": "0",
        }

    return data


def _guide_url(contract):
    def url(world):
        c = getattr(world, contract)
        c.guide_file.save("user-guide.pdf", ContentFile(b"%PDF-1.4 guide"))
        return reverse("contracts:guide", args=[c.reference])

    return url


def _document_url(contract, *, is_public):
    def url(world):
        c = getattr(world, contract)
        document = c.documents.create(
            title="Terms", file=ContentFile(b"terms", name="terms.pdf"), is_public=is_public
        )
        return reverse("contracts:document", args=[c.reference, document.pk])

    return url


CASES = [
    Case("contract index", lambda w: reverse("contracts:index"), STAFF),
    Case("contract export csv", lambda w: reverse("contracts:export", args=["csv"]), STAFF),
    Case("lookup", lambda w: reverse("contracts:lookup") + "?q=printing", STAFF),
    Case("public contract page", lambda w: w.public_contract.get_absolute_url(), STAFF),
    Case("internal contract page", lambda w: w.internal_contract.get_absolute_url(), STAFF),
    Case("public contract guide", _guide_url("public_contract"), STAFF),
    Case("internal contract guide", _guide_url("internal_contract"), STAFF),
    Case("public document", _document_url("public_contract", is_public=True), STAFF),
    Case("internal document", _document_url("public_contract", is_public=False), STAFF),
    Case(
        "public document of internal contract",
        _document_url("internal_contract", is_public=True),
        STAFF,
    ),
    Case("contract create form", lambda w: reverse("contracts:create"), CREATORS),
    Case(
        "edit own-category contract",
        lambda w: reverse("contracts:edit", args=[w.public_contract.reference]),
        EDITORS_OF_OWN_CATEGORY,
    ),
    Case(
        "save own-category contract",
        lambda w: reverse("contracts:edit", args=[w.public_contract.reference]),
        EDITORS_OF_OWN_CATEGORY,
        method="post",
        data=_edit_data("public_contract"),
        ok=frozenset({302}),
    ),
    Case(
        "edit other-category contract",
        lambda w: reverse("contracts:edit", args=[w.other_contract.reference]),
        EDITORS_OF_OTHER_CATEGORY,
    ),
    Case(
        "save other-category contract",
        lambda w: reverse("contracts:edit", args=[w.other_contract.reference]),
        EDITORS_OF_OTHER_CATEGORY,
        method="post",
        data=_edit_data("other_contract"),
        ok=frozenset({302}),
    ),
    Case("vendor directory", lambda w: reverse("vendors:list"), STAFF),
    Case("vendor page", lambda w: w.vendor.get_absolute_url(), STAFF),
    Case("vendor autocomplete", lambda w: reverse("vendors:autocomplete") + "?q=acme", STAFF),
    Case("hub structure", lambda w: reverse("categories:structure"), STAFF),
]

# With HUB_PUBLIC_INDEX on, anonymous visitors may browse public contracts (and nothing else).
PUBLIC_INDEX_OPEN = {
    "contract index",
    "contract export csv",
    "lookup",
    "public contract page",
    "public contract guide",
    "public document",
    "vendor directory",
    "vendor page",
    "vendor autocomplete",
    "hub structure",
}
