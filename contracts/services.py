"""Writes to contracts. Views and commands call these; nothing writes contracts elsewhere."""

import importlib
from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db import transaction

from categories.models import Authority
from contracts.models import Contract, ContractAward
from procurement_hub.text import fold


def contract_search_text(
    *, reference: str, title: str, description: str, category: str, vendor_names: Iterable[str]
) -> str:
    """The folded text the index search and the lookup match against."""
    return fold(" | ".join([reference, title, category, *vendor_names, description]))


def contracts_refresh_search_text(*, contract_ids: Iterable[int]) -> int:
    """Recompute search_text for these contracts in bulk; returns how many were updated."""
    contracts = list(
        Contract.objects.filter(pk__in=list(contract_ids))
        .select_related("category")
        .prefetch_related("awards__vendor__aliases")
    )
    for contract in contracts:
        names: list[str] = []
        for award in contract.awards.all():
            names.append(award.vendor.search_names or fold(award.vendor.legal_name))
        contract.search_text = contract_search_text(
            reference=contract.reference,
            title=contract.title,
            description=contract.description,
            category=f"{contract.category.code} {contract.category.name}",
            vendor_names=names,
        )
    Contract.objects.bulk_update(contracts, ["search_text"], batch_size=500)
    return len(contracts)


@transaction.atomic
def contract_create(
    *, fields: dict[str, Any], authorities: Iterable[Authority], awards: Iterable[dict], by
) -> Contract:
    return _save(contract=Contract(**fields), authorities=authorities, awards=awards)


@transaction.atomic
def contract_update(
    *,
    contract: Contract,
    fields: dict[str, Any],
    authorities: Iterable[Authority],
    awards: Iterable[dict],
    by,
) -> Contract:
    # As saved: a model form has set its new values on `contract` already.
    before = Contract.objects.filter(pk=contract.pk).values(*NOTICEABLE_FIELDS).get()
    for name, value in fields.items():
        setattr(contract, name, value)
    saved = _save(contract=contract, authorities=authorities, awards=awards)
    changes = contract_change_summary(before=before, contract=saved)
    if changes:
        transaction.on_commit(lambda: _tell_followers(saved, changes, by))
    return saved


@transaction.atomic
def contract_set(
    *, contract: Contract, fields: dict[str, Any], by, key: str, note: str = ""
) -> Contract:
    """Change some of the contract's own fields for another service (an extension taken, a
    handover accepted), with an edit's consequences: followers are told what changed (once per
    `key`, with `note` after it), and the vendors' payments are re-matched when the spend rule
    reads a changed field. Awards and authorities stay as they are."""
    before = Contract.objects.filter(pk=contract.pk).values(*NOTICEABLE_FIELDS).get()
    spend_before = _spend_match_state(contract)
    for name, value in fields.items():
        setattr(contract, name, value)
    contract.save(update_fields=[*fields, "updated_at"])
    _rematch_spend_on_commit(before=spend_before, after=_spend_match_state(contract))
    changes = "; ".join(
        part for part in (contract_change_summary(before=before, contract=contract), note) if part
    )
    if changes:
        transaction.on_commit(lambda: _tell_followers(contract, changes, by, key=key))
    return contract


# Changes followers are told about (issue 4: "followers get expiry and change notices").
NOTICEABLE_FIELDS = ("title", "status", "end_date", "max_end_date")


def contract_change_summary(*, before: dict[str, Any], contract: Contract) -> str:
    """'End date: 1 Mar 2027 → 1 Mar 2028; Status: Active → Terminated', or '' when none."""
    parts = []
    for name in NOTICEABLE_FIELDS:
        old, new = before[name], getattr(contract, name)
        if old == new:
            continue
        label = Contract._meta.get_field(name).verbose_name.capitalize()
        parts.append(f"{label}: {_shown(contract, name, old)} → {_shown(contract, name, new)}")
    return "; ".join(parts)


def _shown(contract: Contract, name: str, value) -> str:
    if value in (None, ""):
        return "none"
    if name == "status":
        return dict(Contract._meta.get_field("status").choices).get(value, value)
    if hasattr(value, "strftime"):
        return f"{value.day} {value:%b %Y}"
    return str(value)


def _tell_followers(contract: Contract, changes: str, by, key: str | None = None) -> None:
    from notifications.services import notify_contract_change  # the app built on contracts

    notify_contract_change(contract, changes, by=by, key=key)


def _save(
    *, contract: Contract, authorities: Iterable[Authority], awards: Iterable[dict]
) -> Contract:
    """Validate and save the contract with its authorities and awards; re-index its search text;
    queue the re-match of its vendors' payments when what the spend rule reads has changed."""
    before = _spend_match_state(contract)
    contract.full_clean()
    contract.save()
    contract.authorities.set(authorities)
    _replace_awards(contract=contract, awards=awards)
    contracts_refresh_search_text(contract_ids=[contract.pk])
    contract.refresh_from_db(fields=["search_text"])
    spend_rematch_after_edit(contract, before=before)
    return contract


def _refresh_review_schedule(contract: Contract) -> None:
    """The KPI app's schedule of this contract (if it has one) follows its awarded vendors: a
    vendor no longer awarded stops holding the next review back (kpis.services)."""
    try:
        kpis = importlib.import_module("kpis.services")
    except ImportError:  # The KPI app is optional to this one.
        return
    schedule = kpis.ReviewSchedule.objects.filter(contract=contract).first()
    if schedule is not None:
        kpis.schedule_refresh(schedule=schedule)


def _replace_awards(*, contract: Contract, awards: Iterable[dict]) -> None:
    """Make the contract's awards exactly these rows (vendor, lot, value, numbers)."""
    contract.awards.all().delete()
    rows = [ContractAward(contract=contract, **award) for award in awards]
    for row in rows:
        # The fields, in Python. Not full_clean(): its vendor-exists and constraint checks cost
        # two queries a row (1,200 for a 200-supplier framework); the form resolved each vendor
        # and checked one row per vendor and lot, and the database enforces both constraints.
        row.clean_fields(exclude=["contract", "vendor"])
    ContractAward.objects.bulk_create(rows)


# What spend's on/off-contract rule (spend.matching.contract_matches_sql) reads of a contract
# besides its authorities and awarded vendors. Keep the two in step.
SPEND_MATCH_FIELDS = ("reference", "kind", "status", "start_date", "end_date", "category_id")


class _SpendMatch(NamedTuple):
    fields: dict[str, Any]
    authority_ids: frozenset[int]
    vendor_ids: frozenset[int]


def _spend_match_state(contract: Contract) -> _SpendMatch:
    """What the spend rule reads of the contract, from the database (a model form has already
    changed the instance). Locks the row first, so a concurrent edit reads this one's result."""
    if contract._state.adding:
        return _SpendMatch({}, frozenset(), frozenset())
    fields = (
        Contract.objects.select_for_update()
        .filter(pk=contract.pk)
        .values(*SPEND_MATCH_FIELDS)
        .get()
    )
    return _SpendMatch(
        fields,
        frozenset(contract.authorities.values_list("pk", flat=True)),
        frozenset(contract.awards.values_list("vendor_id", flat=True)),
    )


def _rematch_spend_on_commit(*, before: _SpendMatch, after: _SpendMatch) -> None:
    """Payments to the vendors awarded before or after the change may move on or off the
    contract: re-match them once the change is committed (nothing when the rule reads nothing
    new, or no vendor was ever awarded)."""
    if before == after:
        return
    vendor_ids = sorted(before.vendor_ids | after.vendor_ids)
    if vendor_ids:
        transaction.on_commit(lambda: _rematch_spend(vendor_ids))


def spend_match_before_edit(contract: Contract) -> _SpendMatch:
    """For edits made outside these services (the Django admin): what the spend rule reads of
    the contract before the edit, to hand to spend_rematch_after_edit once it is saved."""
    return _spend_match_state(contract)


def spend_rematch_after_edit(contract: Contract, *, before: _SpendMatch) -> None:
    """After an edit (by _save, or the Django admin): payments re-matched, and the KPI schedule
    refreshed when the awarded vendors changed."""
    after = _spend_match_state(contract)
    _rematch_spend_on_commit(before=before, after=after)
    if before.vendor_ids != after.vendor_ids:
        _refresh_review_schedule(contract)


def spend_rematch_after_delete(contracts: Iterable[Contract]) -> None:
    """Contracts are about to be deleted (the Django admin): their awarded vendors' payments
    are re-matched once the deletion is committed (some were on these contracts)."""
    vendor_ids = sorted(
        set(
            ContractAward.objects.filter(contract__in=list(contracts)).values_list(
                "vendor_id", flat=True
            )
        )
    )
    if vendor_ids:
        transaction.on_commit(lambda: _rematch_spend(vendor_ids))


def _rematch_spend(vendor_ids: list[int]) -> None:
    from spend.tasks import rematch_vendor_spend  # the app built on contracts

    rematch_vendor_spend.delay(vendor_ids=vendor_ids)
