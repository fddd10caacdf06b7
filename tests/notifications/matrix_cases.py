"""Permission-matrix cases for the notifications app's views (see tests/matrix.py)."""

from django.urls import reverse

from notifications.models import Kind, Notification, SubjectType
from notifications.services import preference_for
from tests.matrix import ROLES, STAFF, Case


def _cm_notice(world) -> Notification:
    """A notice addressed to the primary contract manager only."""
    contract = world.public_contract
    notice, _created = Notification.objects.get_or_create(
        recipient=world.hub.cm,
        contract=contract,
        subject_type=SubjectType.CONTRACT,
        subject_id=contract.pk,
        kind=Kind.EXPIRY,
        threshold="matrix",
        defaults={"title": "ITS75 expires in 90 days"},
    )
    return notice


def _feed(world) -> str:
    return reverse("notifications:calendar", args=[preference_for(world.hub.cm).calendar_token])


CASES = [
    Case("inbox", lambda w: reverse("notifications:inbox"), STAFF),
    Case("inbox odd page", lambda w: reverse("notifications:inbox") + "?page=zz&unread=x", STAFF),
    Case("notification preferences", lambda w: reverse("notifications:preferences"), STAFF),
    Case(
        "save notification preferences",
        lambda w: reverse("notifications:preferences"),
        STAFF,
        method="post",
        data=lambda w: {"delivery": "digest"},
        ok=frozenset({302}),
    ),
    Case(
        "mark all notices read",
        lambda w: reverse("notifications:read_all"),
        STAFF,
        method="post",
        ok=frozenset({302}),
    ),
    Case(
        "mark own notice read",
        lambda w: reverse("notifications:read", args=[_cm_notice(w).pk]),
        frozenset({"cm"}),
        method="post",
        ok=frozenset({302}),
    ),
    Case(
        "open own notice",
        lambda w: reverse("notifications:open", args=[_cm_notice(w).pk]),
        frozenset({"cm"}),
        ok=frozenset({302}),
    ),
    Case(
        "follow public contract",
        lambda w: reverse("notifications:follow", args=[w.public_contract.reference]),
        STAFF,
        method="post",
        data=lambda w: {"follow": "1"},
        ok=frozenset({302}),
    ),
    Case(
        "unfollow internal contract",
        lambda w: reverse("notifications:follow", args=[w.internal_contract.reference]),
        STAFF,
        method="post",
        data=lambda w: {"follow": "0"},
        ok=frozenset({302}),
    ),
    Case(
        "regenerate calendar address",
        lambda w: reverse("notifications:calendar_regenerate"),
        STAFF,
        method="post",
        ok=frozenset({302}),
    ),
    # The secret token is the credential: anyone holding the address may read the feed.
    Case("calendar feed with its token", _feed, frozenset(ROLES)),
    Case(
        "calendar feed with an unknown token",
        lambda w: reverse("notifications:calendar", args=["not-a-token"]),
        frozenset(),
    ),
]
PUBLIC_INDEX_OPEN: list = ["calendar feed with its token"]
