"""Reads of contracts: the index rows, the search, the lookup, a contract's full page."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from categories.selectors import user_is_absent
from contracts.models import Contract, ContractAward
from procurement_hub.text import search_terms

# The people shown beside a contract, each with the profile holding their work phone.
PEOPLE = (
    "contract_manager__profile",
    "secondary_contract_manager__profile",
    "category__primary_contract_manager__profile",
    "category__secondary_contract_manager__profile",
    "category__cover_contract_manager__profile",
    "category__pillar__head__profile",
    "sourcing_manager__profile",
)


def contracts_matching(queryset: QuerySet, text: str) -> QuerySet:
    """Every word must appear in the reference, title, description, category or a vendor name
    (legal or alias). Served by a trigram index on PostgreSQL, a LIKE scan on SQLite."""
    for term in search_terms(text):
        queryset = queryset.filter(search_text__contains=term)
    return queryset


def with_index_rows(queryset: QuerySet) -> QuerySet:
    """What an index row shows, in a fixed number of queries whatever the page size."""
    return queryset.select_related(
        "category__pillar",
        "contract_manager",
        "category__primary_contract_manager",
    ).prefetch_related(
        Prefetch(
            "awards",
            queryset=ContractAward.objects.select_related("vendor").order_by("vendor__legal_name"),
        ),
        "authorities",
    )


def with_contacts(queryset: QuerySet) -> QuerySet:
    """What the lookup and the contract page show about the people: a fixed number of queries."""
    return queryset.select_related("category__pillar", *PEOPLE).prefetch_related(
        Prefetch(
            "awards",
            queryset=ContractAward.objects.select_related("vendor").order_by("vendor__legal_name"),
        ),
    )


def contract_lookup(
    queryset: QuerySet, text: str, *, limit: int = 10
) -> tuple[Contract | None, list]:
    """Answer "who manages this contract?".

    Returns (exact, matches): `exact` is the contract whose reference was typed exactly, else
    None; `matches` are up to `limit` current-first contracts matching the words.
    """
    text = text.strip()
    if not text:
        return None, []
    exact_pk = queryset.filter(reference=text.upper()).values_list("pk", flat=True).first()
    if exact_pk is not None:
        ids = [exact_pk]
    else:
        # Pick the page of ids on the contracts table alone, then join the people to those few:
        # joining them to every match first is what made a common word slow at 200,000 rows.
        ids = list(
            contracts_matching(queryset, text)
            .order_by("status", "-end_date", "pk")
            .values_list("pk", flat=True)[:limit]
        )
    found = {
        contract.pk: contract for contract in with_contacts(Contract.objects.filter(pk__in=ids))
    }
    matches = [found[pk] for pk in ids if pk in found]
    exact = matches[0] if exact_pk is not None and matches else None
    return exact, matches


def contract_page(contract: Contract) -> Contract:
    """Attach everything the contract page shows, in a fixed number of queries."""
    return (
        with_contacts(Contract.objects.filter(pk=contract.pk))
        .prefetch_related(
            "authorities", "extension_options", "documents", "awards__vendor__contacts"
        )
        .get()
    )


@dataclass(frozen=True)
class ContractTeam:
    """Who to call about a contract, today."""

    primary: object | None
    secondary: object | None
    cover: object | None  # Set only while the primary is absent.
    primary_absent_until: datetime.date | None
    sourcing_manager: object | None
    head_of_category: object | None

    @property
    def contacts(self) -> list:
        """Whom to ring first: the cover while the primary is away, then the others."""
        people = (
            [self.cover, self.primary, self.secondary]
            if self.cover
            else [
                self.primary,
                self.secondary,
            ]
        )
        return [p for p in people if p is not None]


def contract_team(contract: Contract, today: datetime.date | None = None) -> ContractTeam:
    """The contract's effective team (own assignments, else the category's) on `today`."""
    today = today or timezone.localdate()
    category = contract.category
    primary = contract.contract_manager or category.primary_contract_manager
    cover = None
    absent_until = None
    if primary is not None and user_is_absent(primary, today):
        cover = category.cover_contract_manager
        absent_until = primary.profile.absent_until
    return ContractTeam(
        primary=primary,
        secondary=contract.secondary_contract_manager or category.secondary_contract_manager,
        cover=cover,
        primary_absent_until=absent_until,
        sourcing_manager=contract.sourcing_manager,
        head_of_category=category.pillar.head,
    )


@dataclass(frozen=True)
class TimelineEntry:
    day: datetime.date
    label: str
    state: str  # "past", "next" or "future"


def contract_timeline(
    contract: Contract, today: datetime.date | None = None
) -> list[TimelineEntry]:
    """Start, extension decisions, end and maximum end, in date order."""
    today = today or timezone.localdate()
    dated: list[tuple[datetime.date, str]] = []
    if contract.start_date:
        dated.append((contract.start_date, "Start"))
    for option in contract.extension_options.all():
        outcome = "exercised" if option.exercised else "to decide"
        dated.append(
            (
                option.decide_by,
                f"Extension option {option.sequence} ({option.length_months} "
                f"months): decide by, {outcome}",
            )
        )
    if contract.end_date:
        dated.append((contract.end_date, "Current end date"))
    if contract.max_end_date and contract.max_end_date != contract.end_date:
        dated.append((contract.max_end_date, "Maximum end date, with every extension"))
    dated.sort(key=lambda pair: pair[0])
    entries = []
    next_marked = False
    for day, label in dated:
        if day < today:
            state = "past"
        elif not next_marked:
            state, next_marked = "next", True
        else:
            state = "future"
        entries.append(TimelineEntry(day=day, label=label, state=state))
    return entries
