from notifications.models import Follow, Notification, Preference
from notifications.services import reminders_scan
from procurement_hub.demo import DemoContext, seed_hooks
from tests.factories import TODAY


def test_demo_seed_makes_follows_preferences_and_a_lived_in_inbox(db):
    ctx = DemoContext(today=TODAY, contracts=80, log=lambda message: None)
    for _app, seed in seed_hooks(apps=("contracts", "notifications")):
        seed(ctx)
    assert Follow.objects.exists()
    assert Preference.objects.exists()
    assert Notification.objects.filter(read_at__isnull=False).exists()
    assert Notification.objects.filter(read_at__isnull=True).exists()
    assert reminders_scan(today=TODAY).total == 0  # the demo's scan already ran today


def test_the_demo_seeds_spend_before_its_reminder_scan_so_the_inbox_has_value_reminders(db):
    """Reminders come last in the demo: the contract-value rule reads the spend seeded before."""
    from notifications.models import Kind
    from procurement_hub.demo import DEMO_APPS

    assert DEMO_APPS[-1] == "notifications"
    ctx = DemoContext(today=TODAY, contracts=150, log=lambda message: None)
    for _app, seed in seed_hooks(apps=("contracts", "spend", "notifications")):
        seed(ctx)
    assert Notification.objects.filter(kind=Kind.VALUE_USED).exists()
