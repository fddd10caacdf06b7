"""The permission matrix's vocabulary: roles, the world every case runs in, and a case.

Each app lists its cases in tests/<app>/matrix_cases.py as CASES; tests/test_permission_matrix.py
runs every case for every role. A new view joins by adding a Case there.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

# The people of the `hub` fixture (tests/conftest.py), plus an anonymous visitor.
ROLES = (
    "anon",
    "buyer",
    "cm",  # primary contract manager of hub.category
    "other_cm",  # contract manager of another category (hub.other_category)
    "cover",  # cover for hub.category, while the primary is present (so: no extra rights)
    "cat_manager",
    "cat_officer",
    "head",  # head of hub.category's pillar
    "sourcing",
    "admin",
)
STAFF = frozenset(ROLES) - {"anon"}
EDITORS_OF_OWN_CATEGORY = frozenset({"cm", "cat_manager", "cat_officer", "head", "admin"})


@dataclass(frozen=True)
class Case:
    """One view (and object) under test: `allowed` roles get `ok`; the rest are refused.

    Refused means 403 or 404 for signed-in users, and a redirect to sign-in (or 404) for
    anonymous visitors. `url` and `data` receive the World built by the matrix test.
    """

    name: str
    url: Callable
    allowed: frozenset
    method: str = "get"
    data: Callable | None = None
    ok: frozenset = field(default_factory=lambda: frozenset({200}))
