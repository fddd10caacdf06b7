"""Demo data: one context passed to every app's `<app>/demo.py:seed(ctx)`, in app order.

Each app owns the demo data of its own models. `contracts.demo` lays the foundation (authorities,
pillars, categories, staff, vendors, contracts); later apps read what it made from the database
and add their own (KPI reviews, reminders, sourcing projects, spend). Seeding is deterministic
for a given seed and `today`.
"""

import datetime
import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field

# Order matters: an app may use the data of the apps before it.
DEMO_APPS = ("contracts", "kpis", "sourcing", "spend", "notifications")  # Reminders read the rest.
DEMO_PASSWORD = "demo-pass-2026"


@dataclass
class DemoContext:
    today: datetime.date
    seed: int = 2026
    contracts: int = 400
    log: Callable[[str], None] = print
    rng: random.Random = field(init=False)

    def __post_init__(self):
        self.rng = random.Random(self.seed)


def seed_hooks(apps=DEMO_APPS):
    """(app, seed function) for every app that has a `demo` module with `seed`."""
    hooks = []
    for app in apps:
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise
            continue
        if hasattr(module, "seed"):
            hooks.append((app, module.seed))
    return hooks


def seed_all(ctx: DemoContext) -> None:
    for app, seed in seed_hooks():
        ctx.log(f"Seeding {app}…")
        seed(ctx)
