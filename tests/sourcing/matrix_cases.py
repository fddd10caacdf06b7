"""Permission-matrix cases for the sourcing app's views (see tests/matrix.py)."""

from django.urls import reverse

from sourcing.models import HandoverItemKind, Stage
from tests.matrix import STAFF, Case

VIEWERS = STAFF - {"buyer"}
PROJECT_EDITORS = frozenset({"sourcing", "head", "admin"})  # owner, pillar head, admin
HANDOVER_ACCEPTORS = frozenset({"cm", "admin"})  # the contract's manager
DECIDERS = frozenset({"cm", "head", "admin"})  # contract manager or head of category
REDIRECT = frozenset({302})


def _project(world):
    """A project of hub.category owned by hub.sourcing, in 'need identified'."""
    if not hasattr(world, "sourcing_project"):
        from tests.sourcing.factories import make_project

        world.sourcing_project = make_project(world.hub, title="Managed print")
    return world.sourcing_project


def _awarded(world):
    """A project of hub.category in mobilisation, awarded, with its handover pack open."""
    if not hasattr(world, "sourcing_awarded"):
        from tests.sourcing.factories import make_project

        world.sourcing_awarded = make_project(
            world.hub, title="Fleet hire", stage=Stage.MOBILISATION
        )
    return world.sourcing_awarded


def _item(world, kind=HandoverItemKind.RISKS, content="Insolvency: credit checks"):
    project = _awarded(world)
    item = project.handover.items.get(kind=kind)
    if content and not item.content:
        item.content = content
        item.save()
    return project, item


def _url(name, *args):
    return lambda w: reverse(f"sourcing:{name}", args=args)


CASES = [
    Case("sourcing board", _url("board"), VIEWERS),
    Case("sourcing project list", _url("list"), VIEWERS),
    Case("sourcing project page", lambda w: _project(w).get_absolute_url(), VIEWERS),
    Case("sourcing renewal pipeline", _url("renewals"), VIEWERS),
    Case("sourcing time in stage", _url("metrics"), VIEWERS),
    Case("sourcing workload", _url("workload"), VIEWERS),
    Case("sourcing forward plan", _url("forward_plan"), VIEWERS),
    Case("sourcing savings", _url("savings"), VIEWERS),
    Case("sourcing pipeline notice csv", _url("pipeline_notice"), VIEWERS),
    Case("sourcing project create form", _url("create"), PROJECT_EDITORS),
    Case(
        "sourcing project create",
        _url("create"),
        PROJECT_EDITORS,
        method="post",
        data=lambda w: {
            "title": "Legal services",
            "category": w.hub.category.pk,
            "route": "open",
            "owner": w.hub.sourcing.pk,
            "estimated_value": "3000000",
        },
        ok=REDIRECT,
    ),
    Case(
        "sourcing project edit form",
        lambda w: reverse("sourcing:edit", args=[_project(w).pk]),
        PROJECT_EDITORS,
    ),
    Case(
        "sourcing project move",
        lambda w: reverse("sourcing:move", args=[_project(w).pk]),
        PROJECT_EDITORS,
        method="post",
        data=lambda w: {"stage": "2"},
        ok=REDIRECT,
    ),
    Case(
        "sourcing project hold",
        lambda w: reverse("sourcing:status", args=[_project(w).pk, "hold"]),
        PROJECT_EDITORS,
        method="post",
        data=lambda w: {"reason": "Budget review"},
        ok=REDIRECT,
    ),
    Case(
        "sourcing project cancel",
        lambda w: reverse("sourcing:status", args=[_project(w).pk, "cancel"]),
        PROJECT_EDITORS,
        method="post",
        data=lambda w: {"reason": "Need withdrawn"},
        ok=REDIRECT,
    ),
    Case(
        "sourcing award form",
        lambda w: reverse("sourcing:award", args=[_awarded(w).pk]),
        PROJECT_EDITORS,
    ),
    Case(
        "sourcing handover page",
        lambda w: reverse("sourcing:handover", args=[_awarded(w).pk]),
        VIEWERS,
    ),
    Case(
        "sourcing handover item draft",
        lambda w: reverse("sourcing:handover_item", args=[_item(w)[0].pk, _item(w)[1].pk]),
        PROJECT_EDITORS,
        method="post",
        data=lambda w: {"content": "Go-live in two phases"},
        ok=REDIRECT,
    ),
    Case(
        "sourcing handover item accept",
        lambda w: reverse("sourcing:handover_item_accept", args=[_item(w)[0].pk, _item(w)[1].pk]),
        HANDOVER_ACCEPTORS,
        method="post",
        ok=REDIRECT,
    ),
    Case(
        "sourcing handover accept",
        lambda w: reverse("sourcing:handover_accept", args=[_awarded(w).pk]),
        HANDOVER_ACCEPTORS,
        method="post",
        ok=REDIRECT,
    ),
    Case(
        "sourcing decision form",
        lambda w: reverse("sourcing:decide", args=[w.public_contract.reference]),
        DECIDERS,
    ),
    Case(
        "sourcing decision record",
        lambda w: reverse("sourcing:decide", args=[w.public_contract.reference]),
        DECIDERS,
        method="post",
        data=lambda w: {
            "kind": "expire",
            "rationale": "Need has ended",
            "approved_by": w.hub.head.pk,
        },
        ok=REDIRECT,
    ),
    Case(
        "sourcing decision on other-category contract",
        lambda w: reverse("sourcing:decide", args=[w.other_contract.reference]),
        frozenset({"other_cm", "admin"}),
    ),
]

# Sourcing is internal: nothing opens to anonymous visitors, even with HUB_PUBLIC_INDEX on.
PUBLIC_INDEX_OPEN: list = []
