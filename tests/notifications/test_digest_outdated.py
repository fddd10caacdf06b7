"""The weekly digest leaves out an extension reminder once the term is decided another way
(re-procure, let expire), as the daily scan stops asking then. From a review."""

import datetime

import pytest
from django.core import mail

from notifications import services
from notifications.models import Delivery, EmailState, Kind, Notification, Preference
from sourcing import services as sourcing_services
from tests.factories import TODAY, ContractFactory, ExtensionOptionFactory

pytestmark = pytest.mark.django_db


def days(n):
    return TODAY + datetime.timedelta(days=n)


@pytest.mark.parametrize("decide", ["reprocure", "let_expire"])
def test_digest_drops_extension_reminder_once_term_decided_another_way(hub, scan, decide):
    """The scan stops asking for an option once the term is decided by re-procure / let expire
    (test_scan: 'no option is left to decide'); the digest still emails the held reminder."""
    Preference.objects.create(user=hub.cm, delivery=Delivery.DIGEST)
    contract = ContractFactory(category=hub.category, end_date=days(300), max_end_date=days(700))
    ExtensionOptionFactory(contract=contract, sequence=1, decide_by=days(60))
    scan(TODAY)
    held = Notification.objects.get(kind=Kind.EXTENSION, recipient=hub.cm)
    assert held.email_state == EmailState.DIGEST
    decision = {"rationale": "Market moved", "approved_by": hub.head, "by": hub.cm}
    if decide == "reprocure":
        sourcing_services.contract_reprocure(contract=contract, owner=hub.sourcing, **decision)
    else:
        sourcing_services.contract_let_expire(contract=contract, **decision)
    mail.outbox.clear()
    services.digest_deliver(user_id=hub.cm.pk)
    held.refresh_from_db()
    bodies = " ".join(m.body for m in mail.outbox)
    assert "decide extension option 1" not in bodies, bodies
    assert held.email_state == EmailState.OUTDATED
