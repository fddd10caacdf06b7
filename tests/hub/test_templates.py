"""Template habits checked across every template of the hub."""

from pathlib import Path

from django.conf import settings

ROOTS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]


def templates():
    for root in ROOTS:
        yield from root.rglob("*.html")


def test_no_link_puts_its_own_question_mark_before_querystring():
    """Django's {% querystring %} writes the "?" itself: href="?{% querystring %}" gave
    "??page=2", a link that changed nothing (the renewal pipeline never left page 1)."""
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in templates()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "?{% querystring" in line
    ]
    assert offenders == []


def test_people_are_named_through_the_person_filter():
    """`x.get_full_name|default:x.username` raised VariableDoesNotExist when x was None (an
    accepted handover item whose user was deleted gave a 500); `x|person` names nobody as ""."""
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for path in templates()
        if "get_full_name|default" in path.read_text()
    ]
    assert offenders == []
