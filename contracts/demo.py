"""The foundation's demo data: authorities, pillars, categories, staff, vendors and contracts.

`seed(ctx)` is called first by `manage.py seed_demo` (procurement_hub/demo.py); the later apps
read what it makes from the database. Everything is drawn from `ctx.rng`, so a seed and a
`ctx.today` always give the same hub. Rows are written with explicit ids in bulk (COPY on
PostgreSQL for big tables), so 200,000 contracts take well under a minute.
"""

import contextlib
import datetime
import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from categories.models import Authority, Category, Pillar, Role, StaffProfile
from contracts import demo_vocabulary as vocab
from contracts.models import (
    Contract,
    ContractAward,
    ContractDocument,
    ContractKind,
    ContractStatus,
    ExtensionOption,
)
from contracts.terms import add_months, extended_end
from procurement_hub.demo import DEMO_PASSWORD
from procurement_hub.text import fold
from vendors.models import Vendor, VendorAlias, VendorContact, VendorStatus
from vendors.services import vendor_search_names

User = get_user_model()

# The sign-ins printed by seed_demo and bin/demo: username → (role, what they can do).
SIGN_INS = {
    "admin": (Role.HUB_ADMIN, "everything, and the Django admin"),
    "head": (Role.HEAD_OF_CATEGORY, "edits every contract in Corporate and Commercial"),
    "catmanager": (Role.CATEGORY_MANAGER, "edits contracts in ITS, OFF and PRO"),
    "officer": (Role.CATEGORY_OFFICER, "edits contracts in ITS and FAC"),
    "cm": (Role.CONTRACT_MANAGER, "edits the contracts they manage (ITS; HRS as second manager)"),
    "sourcing": (Role.SOURCING_MANAGER, "creates contracts"),
    "buyer": (Role.BUYER, "reads only"),
}

# Lifecycle mix of the demo contracts (weights).
STATUS_WEIGHTS = {
    ContractStatus.PLANNED: 5,
    ContractStatus.IN_PROCUREMENT: 7,
    ContractStatus.ACTIVE: 62,
    ContractStatus.EXPIRED: 17,
    ContractStatus.TERMINATED: 3,
    ContractStatus.SUPERSEDED: 6,
}
AWARDED = {
    ContractStatus.ACTIVE,
    ContractStatus.EXPIRED,
    ContractStatus.TERMINATED,
    ContractStatus.SUPERSEDED,
}
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
COPY_THRESHOLD = 5000
# From this many contracts, PostgreSQL builds the contract indexes after the load instead of
# updating them row by row (the trigram index above all): several times faster.
REBUILD_INDEXES_FROM = 20_000
_fold = functools.lru_cache(maxsize=50_000)(
    fold
)  # Rows above which PostgreSQL gets COPY instead of INSERT.


def seed(ctx) -> None:
    started = timezone.now()
    builder = _Builder(ctx)
    builder.authorities()
    builder.staff()
    builder.structure()
    builder.vendors(count=300 + max(0, ctx.contracts - 1000) // 20)
    with _indexes_rebuilt_after(Contract, big=ctx.contracts >= REBUILD_INDEXES_FROM):
        builder.contracts(count=ctx.contracts)
        builder.flush()
    seconds = (timezone.now() - started).total_seconds()
    ctx.log(
        f"  {len(builder.people)} staff, {len(builder.vendor_rows)} vendors, "
        f"{ctx.contracts} contracts in {seconds:.1f} s"
    )


@dataclass
class _Person:
    user: object
    role: str
    authority: Authority


@dataclass
class _CategorySeed:
    category: Category
    pillar: Pillar
    value: int
    cpv: Sequence[str]
    contract_managers: list  # Users who may be set on a contract as its own manager.
    next_number: int = 1
    vendors: list = field(default_factory=list)


@dataclass
class _VendorSeed:
    pk: int
    code: str  # Category code of its sector.
    search_names: str
    short: str  # For vendor contract numbers.


class _Builder:
    def __init__(self, ctx):
        self.ctx = ctx
        self.rng = ctx.rng
        self.today = ctx.today
        self.ids = {}
        self.pending: dict[type[models.Model], list] = {}
        self.people: list[_Person] = []
        self.by_role: dict[str, list] = {}
        self.named: dict[str, object] = {}
        self.categories: dict[str, _CategorySeed] = {}
        self.vendor_rows: list[_VendorSeed] = []

    # --- writing ------------------------------------------------------------------------------

    def next_id(self, model) -> int:
        if model not in self.ids:
            self.ids[model] = model.objects.aggregate(top=Max("pk"))["top"] or 0
        self.ids[model] += 1
        return self.ids[model]

    def add(self, obj: models.Model) -> models.Model:
        obj.pk = self.next_id(type(obj))
        self.pending.setdefault(type(obj), []).append(obj)
        return obj

    def flush(self, *only) -> None:
        """Write what is pending, in the order the models were first added (parents first)."""
        for model in list(self.pending):
            if only and model not in only:
                continue
            rows = self.pending.pop(model)
            _insert(model, rows)

    # --- the hub's structure --------------------------------------------------------------------

    def authorities(self) -> None:
        self.authority_list = [
            Authority.objects.create(code=code, name=name)
            for code, name, _domain in vocab.AUTHORITIES
        ]
        self.domains = {
            a.pk: domain
            for a, (_c, _n, domain) in zip(self.authority_list, vocab.AUTHORITIES, strict=True)
        }

    def staff(self) -> None:
        """About 40 people: the fixed sign-ins first, then named staff in every role."""
        rng = self.rng
        firsts, lasts = list(vocab.FIRST_NAMES), list(vocab.LAST_NAMES)
        rng.shuffle(firsts)
        rng.shuffle(lasts)
        names = iter(zip(firsts, lasts, strict=True))
        plan = [(username, role) for username, (role, _what) in SIGN_INS.items()]
        extra = {
            Role.HEAD_OF_CATEGORY: 2,
            Role.CATEGORY_MANAGER: 5,
            Role.CATEGORY_OFFICER: 5,
            Role.CONTRACT_MANAGER: 14,
            Role.SOURCING_MANAGER: 3,
            Role.BUYER: 4,
            Role.HUB_ADMIN: 1,
        }
        plan += [(None, role) for role, count in extra.items() for _ in range(count)]
        password = make_password(DEMO_PASSWORD)
        for number, (username, role) in enumerate(plan):
            first, last = next(names)
            authority = self.authority_list[0 if rng.random() < 0.7 else 1]
            login = username or f"{first}.{last}".lower().replace("'", "")
            email = f"{first}.{last}".lower().replace("'", "") + f"@{self.domains[authority.pk]}"
            is_admin = role == Role.HUB_ADMIN
            user = self.add(
                User(
                    username=login,
                    first_name=first,
                    last_name=last,
                    email=email,
                    password=password,
                    is_staff=is_admin,
                    is_superuser=is_admin,
                    date_joined=timezone.now(),
                )
            )
            self.add(
                StaffProfile(
                    user_id=user.pk,
                    role=role,
                    job_title=_job_title(role, number, rng),
                    work_email=email,
                    work_phone=f"01632 960{number:03d}",
                    authority_id=authority.pk,
                )
            )
            self.people.append(_Person(user=user, role=role, authority=authority))
            self.by_role.setdefault(role, []).append(user)
            if username:
                self.named[username] = user
        self.flush()

    def structure(self) -> None:
        """Three pillars, each with a head, five categories, two category managers, two officers
        and five contract managers who are primary, secondary and cover for each other."""
        heads = self._ordered(Role.HEAD_OF_CATEGORY, "head")
        cat_managers = self._ordered(Role.CATEGORY_MANAGER, "catmanager")
        officers = self._ordered(Role.CATEGORY_OFFICER, "officer")
        cms = self._ordered(Role.CONTRACT_MANAGER, "cm")
        # The fixed sign-ins work in Corporate and Commercial, the last pillar listed: put them
        # first for that pillar by rotating the lists.
        pillar_names = list(vocab.PILLARS)
        order = [pillar_names.index("Corporate and Commercial")] + [
            i for i in range(len(pillar_names)) if pillar_names[i] != "Corporate and Commercial"
        ]
        managers_m2m, officers_m2m = [], []
        absences = {}
        for slot, pillar_index in enumerate(order):
            pillar_name = pillar_names[pillar_index]
            pillar = Pillar.objects.create(name=pillar_name, head=heads[slot])
            StaffProfile.objects.filter(user=heads[slot]).update(
                job_title=f"Head of Category – {pillar_name}"
            )
            team_cms = cms[slot * 5 : slot * 5 + 5]
            team_managers = cat_managers[slot * 2 : slot * 2 + 2]
            team_officers = officers[slot * 2 : slot * 2 + 2]
            for i, (code, name, cpv, value) in enumerate(vocab.PILLARS[pillar_name]):
                primary = team_cms[i]
                category = Category.objects.create(
                    code=code,
                    name=name,
                    pillar=pillar,
                    primary_contract_manager=primary,
                    secondary_contract_manager=team_cms[(i + 1) % 5] if i % 2 == 0 else None,
                    cover_contract_manager=team_cms[(i + 2) % 5],
                )
                # Category managers split the pillar: the first has categories 0, 1 (ITS, FAC
                # for the fixed `catmanager`) and 2 (OFF); officers split it the other way.
                manager = team_managers[0] if i in (0, 2, 3) else team_managers[1]
                officer = team_officers[0] if i in (0, 1) else team_officers[1]
                managers_m2m.append(
                    Category.category_managers.through(category=category, user=manager)
                )
                officers_m2m.append(
                    Category.category_officers.through(category=category, user=officer)
                )
                self.categories[code] = _CategorySeed(
                    category=category,
                    pillar=pillar,
                    value=value,
                    cpv=cpv,
                    contract_managers=team_cms,
                )
                absences[code] = primary
        # Some primaries are away: their cover answers the lookup meanwhile.
        today = self.today
        away = {
            "FAC": (today - datetime.timedelta(days=5), today + datetime.timedelta(days=9)),
            "WST": (today - datetime.timedelta(days=20), today + datetime.timedelta(days=40)),
            "ASC": (today - datetime.timedelta(days=2), None),  # long-term, no return date yet
            "HWY": (today + datetime.timedelta(days=14), today + datetime.timedelta(days=21)),
            "PRO": (today - datetime.timedelta(days=60), today - datetime.timedelta(days=45)),
        }
        for code, (start, until) in away.items():
            StaffProfile.objects.filter(user=absences[code]).update(
                absent_from=start, absent_until=until
            )
        Category.category_managers.through.objects.bulk_create(managers_m2m)
        Category.category_officers.through.objects.bulk_create(officers_m2m)
        for seed in self.categories.values():
            seed.next_number = 10 + self.rng.randint(0, 60)

    def _ordered(self, role: str, fixed: str) -> list:
        """The users of a role with the fixed sign-in first."""
        users = self.by_role[role]
        return [self.named[fixed]] + [u for u in users if u is not self.named[fixed]]

    # --- vendors --------------------------------------------------------------------------------

    def vendors(self, *, count: int) -> None:
        rng = self.rng
        codes = list(vocab.VENDOR_SECTORS)
        taken: set[str] = set()
        contact_number = itertools.count()
        for i in range(count):
            code = codes[i % len(codes)]
            stem = rng.choice(vocab.VENDOR_STEMS)
            sector = rng.choice(vocab.VENDOR_SECTORS[code])
            is_vcse = rng.random() < 0.08
            suffix = rng.choice(vocab.VCSE_SUFFIXES if is_vcse else vocab.VENDOR_SUFFIXES)
            trading = f"{stem} {sector}"
            legal = f"{trading} {suffix}"
            if legal in taken:
                town, _ = rng.choice(vocab.TOWNS)
                legal = f"{trading} ({town}) {suffix}"
                if legal in taken:
                    legal = f"{trading} {i} {suffix}"
            taken.add(legal)
            aliases: list[str] = []
            if rng.random() < 0.4:
                aliases.append(trading)
                if rng.random() < 0.35:
                    former = rng.choice(vocab.VENDOR_STEMS)
                    if former != stem:
                        aliases.append(f"{former} {sector} Ltd")
                if rng.random() < 0.25:
                    initials = "".join(word[0] for word in trading.split() if word[0].isalpha())
                    if len(initials) > 1 and initials not in aliases:
                        aliases.append(f"{initials.upper()} {suffix}")
            certs = []
            if rng.random() < 0.15:
                certs = rng.sample(vocab.DIVERSITY_CERTIFICATIONS, rng.choice((1, 1, 2)))
            roll = rng.random()
            status = (
                VendorStatus.ACTIVE
                if roll < 0.9
                else VendorStatus.INACTIVE
                if roll < 0.96
                else VendorStatus.SUSPENDED
                if roll < 0.99
                else VendorStatus.EXCLUDED
            )
            town, outward = rng.choice(vocab.TOWNS)
            search_names = vendor_search_names(legal_name=legal, aliases=aliases)
            vendor = self.add(
                Vendor(
                    legal_name=legal,
                    company_number=""
                    if is_vcse and rng.random() < 0.5
                    else f"{rng.randint(1_000_000, 14_999_999):08d}",
                    vendor_code=f"V{100000 + i}",
                    address=f"{rng.randint(1, 220)} {rng.choice(vocab.STREETS)}\n{town}",
                    postcode=f"{outward} {rng.randint(1, 9)}{_letters(rng)}",
                    is_sme=is_vcse or rng.random() < 0.55,
                    is_vcse=is_vcse,
                    diversity_certifications=", ".join(certs),
                    status=status,
                    search_names=search_names,
                )
            )
            for alias in aliases:
                self.add(VendorAlias(vendor_id=vendor.pk, name=alias))
            domain = trading.lower().replace(" ", "").replace("'", "") + ".example.com"
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                first, last = rng.choice(vocab.FIRST_NAMES), rng.choice(vocab.LAST_NAMES)
                n = next(contact_number)
                self.add(
                    VendorContact(
                        vendor_id=vendor.pk,
                        name=f"{first} {last}",
                        role=rng.choice(vocab.CONTACT_ROLES),
                        email=f"{first}.{last}".lower().replace("'", "") + f"@{domain}",
                        phone=f"0117 496 0{n % 1000:03d}",
                    )
                )
            seed = _VendorSeed(
                pk=vendor.pk,
                code=code,
                search_names=search_names,
                short="".join(w[0] for w in trading.split() if w[0].isalpha()).upper()[:3],
            )
            self.vendor_rows.append(seed)
            if status in (VendorStatus.ACTIVE, VendorStatus.INACTIVE):
                self.categories[code].vendors.append(seed)
        self.flush()

    # --- contracts ------------------------------------------------------------------------------

    def contracts(self, *, count: int) -> None:
        rng = self.rng
        codes = list(self.categories)
        statuses = list(STATUS_WEIGHTS)
        weights = list(STATUS_WEIGHTS.values())
        sourcing = self.by_role[Role.SOURCING_MANAGER]
        wcc, adc = self.authority_list
        now = timezone.now()
        for n in range(count):
            seed = self.categories[codes[n % len(codes)] if n < len(codes) else rng.choice(codes)]
            category = seed.category
            status = rng.choices(statuses, weights)[0]
            roll = rng.random()
            kind = (
                ContractKind.MULTI_AUTHORITY
                if roll < 0.2
                else ContractKind.FRAMEWORK
                if roll < 0.45
                else ContractKind.SINGLE_SUPPLIER
            )
            term = rng.choice((12, 24, 36, 36, 48, 60))
            options = [rng.choice((6, 12, 12, 24)) for _ in range(rng.choice((0, 0, 1, 1, 2, 3)))]
            start, end, exercised = self._dates(status, term, options)
            base = seed.value * (0.25 + rng.lognormvariate(0, 0.7)) * term / 36
            estimated = Decimal(round(base, -3))
            awarded = (
                Decimal(round(base * rng.uniform(0.82, 1.05), -2)) if status in AWARDED else None
            )
            reference = f"{category.code}{seed.next_number}"
            seed.next_number += 1
            base_title = rng.choice(vocab.TITLES[category.code])
            area = rng.choice(vocab.AREAS)
            title = base_title
            if kind == ContractKind.FRAMEWORK and "framework" not in title.lower():
                title += " framework"
            variant = rng.random()
            if variant < 0.45:
                title = f"{title} – {area}"
            elif variant < 0.7 and start and end:
                title = f"{title} {start.year}–{end.year}"
            both = kind != ContractKind.SINGLE_SUPPLIER or rng.random() < 0.15
            authorities = [wcc, adc] if both else [wcc if rng.random() < 0.65 else adc]
            authority_names = " and ".join(a.name for a in authorities)
            description = rng.choice(vocab.DESCRIPTIONS).format(
                title=base_title,
                title_lower=base_title[0].lower() + base_title[1:],
                area=area,
                authorities=authority_names,
            )
            own_manager = None
            if rng.random() < 0.12:
                own_manager = rng.choice(seed.contract_managers)
                if own_manager == category.primary_contract_manager:
                    own_manager = None
            manager = own_manager or category.primary_contract_manager
            guide = status not in (ContractStatus.PLANNED, ContractStatus.IN_PROCUREMENT)
            contract = self.add(
                Contract(
                    reference=reference,
                    title=title,
                    description=description,
                    category_id=category.pk,
                    kind=kind,
                    status=status,
                    start_date=start,
                    end_date=end,
                    max_end_date=_max_end(end, options, exercised),
                    estimated_value=estimated,
                    awarded_value=awarded,
                    currency="GBP",
                    sourcing_manager=rng.choice(sourcing),
                    contract_manager=own_manager,
                    cpv_code=rng.choice(seed.cpv) if rng.random() < 0.8 else "",
                    is_public=rng.random() < 0.88,
                    guide_who_may_use=(
                        rng.choice(vocab.WHO_MAY_USE).format(authorities=authority_names)
                        if guide
                        else ""
                    ),
                    guide_how_to_buy=_how_to_buy(kind, rng) if guide else "",
                    guide_pricing_basis=rng.choice(vocab.PRICING_BASIS) if guide else "",
                    guide_url=(
                        f"https://intranet.wessex.example.gov.uk/procurement/guides/{reference.lower()}"
                        if guide and rng.random() < 0.4
                        else ""
                    ),
                    created_at=now,
                    updated_at=now,
                )
            )
            for authority in authorities:
                self.add(
                    Contract.authorities.through(contract_id=contract.pk, authority_id=authority.pk)
                )
            names = (
                self._awards(contract, seed, kind, status, start, awarded)
                if status in AWARDED
                else []
            )
            # As contracts.services.contract_search_text, with the folding of repeated parts cached.
            contract.search_text = " | ".join(
                _fold(part)
                for part in (
                    reference,
                    title,
                    f"{category.code} {category.name}",
                    *names,
                    description,
                )
            )
            self._options(contract, end, options, exercised, manager)
            if guide and rng.random() < 0.25:
                self.add(
                    ContractDocument(
                        contract_id=contract.pk,
                        title=rng.choice(
                            (
                                "Award notice",
                                "Specification",
                                "Terms and conditions",
                                "Price schedule",
                            )
                        ),
                        url=f"https://www.find-tender.example.gov.uk/notice/{reference.lower()}",
                        is_public=rng.random() < 0.5,
                        uploaded_at=now,
                    )
                )
            if len(self.pending.get(Contract, ())) >= 20_000:
                self.flush()
        self.flush()

    def _dates(self, status: str, term: int, options: list[int]):
        """(start, end, how many options were exercised), consistent with the status."""
        rng, today = self.rng, self.today
        days = datetime.timedelta
        if status in (ContractStatus.PLANNED, ContractStatus.IN_PROCUREMENT):
            if status == ContractStatus.PLANNED and rng.random() < 0.3:
                return None, None, 0
            start = today + days(rng.randint(30, 540))
            return start, add_months(start, term), 0
        if status == ContractStatus.ACTIVE:
            roll = rng.random()
            ahead = (
                rng.randint(0, 30)
                if roll < 0.1
                else rng.randint(31, 90)
                if roll < 0.25
                else rng.randint(91, 180)
                if roll < 0.42
                else rng.randint(181, 1500)
            )
            end = today + days(ahead)
        else:
            end = today - days(rng.randint(1, 1400))
        exercised = rng.randint(0, len(options)) if options else 0
        if exercised and status == ContractStatus.ACTIVE:
            # The last option taken must have been decided before today.
            last_decision = add_months(end, -options[exercised - 1]) - days(90)
            if last_decision >= today:
                exercised = 0
        start = add_months(end, -(term + sum(options[:exercised])))
        if status == ContractStatus.ACTIVE and start > today:
            start = today - days(rng.randint(1, 60))
        return start, end, exercised

    def _awards(self, contract, seed, kind, status, start, awarded) -> list[str]:
        rng = self.rng
        how_many = (
            1
            if kind == ContractKind.SINGLE_SUPPLIER
            else rng.randint(1, 3)
            if kind == ContractKind.MULTI_AUTHORITY
            else rng.randint(2, 5)
        )
        pool = seed.vendors if seed.vendors and rng.random() < 0.97 else self.vendor_rows
        chosen = rng.sample(pool, min(how_many, len(pool)))
        names = []
        for lot_index, vendor in enumerate(chosen):
            lot = (
                vocab.LOT_NAMES[lot_index % len(vocab.LOT_NAMES)]
                if kind == ContractKind.FRAMEWORK
                else ""
            )
            share = None
            if awarded is not None and kind != ContractKind.FRAMEWORK:
                share = (awarded / len(chosen)).quantize(Decimal("0.01"))
            self.add(
                ContractAward(
                    contract_id=contract.pk,
                    vendor_id=vendor.pk,
                    vendor_contract_number=(
                        f"{vendor.short}/{start.year}/{rng.randint(1, 9999):04d}"
                    ),
                    lot=lot,
                    value=share,
                    awarded_on=start - datetime.timedelta(days=rng.randint(14, 60)),
                )
            )
            names.append(vendor.search_names)
        return names

    def _options(self, contract, end, options, exercised, manager) -> None:
        if end is None or not options:
            return
        # Option k runs from the end before it; it is decided 90 days before that end.
        before_first = end
        for length in options[:exercised]:
            before_first = add_months(before_first, -length)
        boundary = before_first
        for sequence, length in enumerate(options, start=1):
            decide_by = boundary - datetime.timedelta(days=90)
            taken = sequence <= exercised
            when = None
            if taken:
                moment = datetime.datetime.combine(
                    decide_by - datetime.timedelta(days=self.rng.randint(0, 30)), datetime.time(10)
                )
                when = timezone.make_aware(moment)
            self.add(
                ExtensionOption(
                    contract_id=contract.pk,
                    sequence=sequence,
                    length_months=length,
                    decide_by=decide_by,
                    exercised=taken,
                    exercised_at=when,
                    exercised_by=manager if taken else None,
                )
            )
            boundary = extended_end(boundary, length)


def _letters(rng) -> str:
    return "".join(rng.sample(POSTCODE_LETTERS, 2))


def _max_end(end, options, exercised):
    if end is None:
        return None
    for length in options[exercised:]:
        end = extended_end(end, length)
    return end


def _how_to_buy(kind: str, rng) -> str:
    if kind == ContractKind.FRAMEWORK:
        return rng.choice(vocab.HOW_TO_BUY[1:3])
    return rng.choice((vocab.HOW_TO_BUY[0], vocab.HOW_TO_BUY[3], vocab.HOW_TO_BUY[4]))


def _job_title(role: str, number: int, rng) -> str:
    if role == Role.BUYER:
        return vocab.BUYER_TITLES[number % len(vocab.BUYER_TITLES)]
    titles = {
        Role.HUB_ADMIN: ("Procurement Systems Manager", "Hub Administrator"),
        Role.HEAD_OF_CATEGORY: ("Head of Category",),
        Role.CATEGORY_MANAGER: ("Category Manager", "Senior Category Manager"),
        Role.CATEGORY_OFFICER: ("Category Officer", "Procurement Officer"),
        Role.CONTRACT_MANAGER: ("Contract Manager", "Contract Manager", "Senior Contract Manager"),
        Role.SOURCING_MANAGER: ("Sourcing Manager", "Senior Sourcing Manager"),
    }[role]
    return rng.choice(titles)


def _insert(model, rows: list) -> None:
    """Insert rows that carry their own ids, then move the id sequence past them."""
    if not rows:
        return
    if connection.vendor == "postgresql" and len(rows) > COPY_THRESHOLD:
        _copy(model, rows)
    else:
        model.objects.bulk_create(rows, batch_size=1000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(sql)


@contextlib.contextmanager
def _indexes_rebuilt_after(model, *, big: bool):
    """On PostgreSQL, drop the table's plain (non-unique) indexes for a big load and build them
    again afterwards, from their own definitions."""
    if not big or connection.vendor != "postgresql":
        yield
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        # CREATE INDEX refuses to run while deferred foreign-key checks are pending: run them.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _copy(model, rows: list) -> None:
    """COPY rows whose every field is already set (no auto_now, no defaults computed here):
    psycopg adapts the Python values (dates, Decimals, aware datetimes) itself."""
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    files = {f.attname for f in fields if isinstance(f, models.FileField)}
    names = [f.attname for f in fields]
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            values = row.__dict__
            copy.write_row(
                [_file_name(values[name]) if name in files else values[name] for name in names]
            )


def _file_name(value) -> str:
    return getattr(value, "name", value) or ""
