"""The contract page's 'Current term' line and the decision page's options say where things
stand (from a walkthrough: a contract ending in three years read 'no decision recorded yet' in
red; a passed decide-by date read 'Open'; a finished project read '(Complete, complete)')."""

import datetime
import re

import pytest
from django.urls import reverse

from contracts.models import ExtensionOption
from sourcing.models import Stage
from tests.factories import TODAY, ContractFactory
from tests.sourcing.factories import make_project

pytestmark = pytest.mark.django_db


def _current_term(client, contract) -> str:
    page = client.get(contract.get_absolute_url()).content.decode()
    return re.search(r'id="lineage-current">(.*?)</dd>', page, re.S).group(1)


def test_no_decision_is_pressing_only_within_the_renewal_horizon(client, hub):
    soon = ContractFactory(category=hub.category, end_date=TODAY + datetime.timedelta(days=200))
    later = ContractFactory(category=hub.category, end_date=TODAY + datetime.timedelta(days=1100))
    client.force_login(hub.cm)
    assert '<span class="text-danger">no decision recorded yet</span>' in _current_term(
        client, soon
    )
    line = _current_term(client, later)
    assert "text-danger" not in line
    assert "the renewal pipeline lists it 18 months before the end" in line


def test_a_running_reprocurement_shows_on_the_current_term(client, hub):
    contract = ContractFactory(category=hub.category, end_date=TODAY + datetime.timedelta(days=90))
    project = make_project(hub, predecessor=contract, title="Re-procurement")
    client.force_login(hub.cm)
    line = _current_term(client, contract)
    assert "re-procurement under way" in line and project.get_absolute_url() in line
    assert "text-danger" not in line


def test_a_finished_project_reads_complete_once(client, hub):
    project = make_project(hub, stage=Stage.MOBILISATION)
    project.stage, project.status = Stage.COMPLETE, "complete"
    project.save(update_fields=["stage", "status"])
    client.force_login(hub.cm)
    page = client.get(project.contract.get_absolute_url()).content.decode()
    assert "(Complete)" in page and "(Complete, complete)" not in page


def test_an_option_past_its_decide_by_date_says_so(client, hub):
    contract = ContractFactory(category=hub.category, end_date=TODAY + datetime.timedelta(days=90))
    ExtensionOption.objects.create(
        contract=contract, sequence=1, length_months=12, decide_by=TODAY - datetime.timedelta(1)
    )
    ExtensionOption.objects.create(
        contract=contract, sequence=2, length_months=12, decide_by=TODAY + datetime.timedelta(9)
    )
    client.force_login(hub.cm)
    page = client.get(reverse("sourcing:decide", args=[contract.reference])).content.decode()
    assert page.count("decide-by passed") == 1
