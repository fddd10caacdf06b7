"""Two deciders at the same moment, on two real PostgreSQL connections."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction

from contracts.terms import extended_end
from sourcing import services
from sourcing.models import RenewalDecision
from tests.sourcing.factories import extendable_contract


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_deciders_cannot_both_exercise_the_same_option(hub):
    contract = extendable_contract(hub)
    option = contract.extension_options.get(sequence=1)
    old_end = contract.end_date
    first_holds_lock = threading.Event()
    outcomes: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                services.contract_extend(
                    contract=contract, option=option, rationale="A", approved_by=hub.head, by=hub.cm
                )
                first_holds_lock.set()
                # Keep the transaction (and its row locks) open while the second decider tries.
                threading.Event().wait(0.8)
            outcomes["first"] = "ok"
        except ValidationError as exc:
            outcomes["first"] = exc
        finally:
            first_holds_lock.set()
            connections.close_all()

    def second():
        first_holds_lock.wait(5)
        try:
            services.contract_extend(
                contract=contract, option=option, rationale="B", approved_by=hub.head, by=hub.head
            )
            outcomes["second"] = "ok"
        except ValidationError as exc:
            outcomes["second"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert outcomes["first"] == "ok"
    assert isinstance(outcomes["second"], ValidationError)
    contract.refresh_from_db()
    assert contract.end_date == extended_end(old_end, 12)  # extended once, not twice
    assert RenewalDecision.objects.filter(contract=contract).count() == 1
