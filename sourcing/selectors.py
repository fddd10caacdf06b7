"""Reads of the sourcing pipeline."""

from collections.abc import Iterable

from django.db.models import F, Q

from sourcing.models import DecisionKind, RenewalDecision


def contracts_with_renewal_decision(contract_ids: Iterable[int]) -> set[int]:
    """Ids of these contracts with an extension or re-procurement recorded against their
    current end date: a re-procurement (or extension) decided for the term ending on it, or the
    extension that set it. One query."""
    ids = list(contract_ids)
    if not ids:
        return set()
    return set(
        RenewalDecision.objects.filter(
            contract_id__in=ids,
            kind__in=[DecisionKind.EXTEND, DecisionKind.REPROCURE],
        )
        .filter(Q(term_end=F("contract__end_date")) | Q(new_end_date=F("contract__end_date"))).values_list("contract_id", flat=True)
    )
