"""factory_boy factories for the whole hub. Other apps' factories build on these."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from categories.models import Authority, Category, Pillar, Role, StaffProfile
from contracts.models import Contract, ContractAward, ContractStatus, ExtensionOption
from contracts.services import contracts_refresh_search_text
from procurement_hub.text import fold
from vendors.models import Vendor, VendorAlias, VendorContact

TODAY = datetime.date(2026, 11, 22)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.uk")
    password = factory.django.Password("pass-word-123")


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    role = Role.BUYER
    job_title = "Officer"
    work_email = factory.LazyAttribute(lambda p: f"{p.user.username}@council.example.gov.uk")
    work_phone = factory.Sequence(lambda n: f"01865 {100000 + n}")


def staff(role: str = Role.BUYER, **profile) -> object:
    """A user with a staff profile of this role."""
    return StaffProfileFactory(role=role, **profile).user


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"auth{n}")
    name = factory.Sequence(lambda n: f"Authority {n} Council")


class PillarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pillar

    name = factory.Sequence(lambda n: f"Pillar {n}")
    head = None


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"Category {n}")
    pillar = factory.SubFactory(PillarFactory)


class VendorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vendor

    legal_name = factory.Sequence(lambda n: f"Vendor {n} Limited")
    vendor_code = factory.Sequence(lambda n: f"V{n:05d}")
    search_names = factory.LazyAttribute(lambda v: fold(v.legal_name))


class VendorAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VendorAlias

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Sequence(lambda n: f"Trading Name {n}")


class VendorContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VendorContact

    vendor = factory.SubFactory(VendorFactory)
    name = factory.Faker("name")
    role = "Account manager"
    email = factory.Sequence(lambda n: f"contact{n}@vendor.example.com")


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"REF{n}")
    title = factory.Sequence(lambda n: f"Contract for services {n}")
    category = factory.SubFactory(CategoryFactory)
    status = ContractStatus.ACTIVE
    start_date = factory.LazyFunction(lambda: TODAY - datetime.timedelta(days=365))
    end_date = factory.LazyFunction(lambda: TODAY + datetime.timedelta(days=365))
    awarded_value = Decimal("100000.00")
    is_public = True

    @factory.post_generation
    def vendors(contract, create, extracted, **kwargs):
        """ContractFactory(vendors=[v1, v2]) awards the contract to them."""
        for vendor in extracted or []:
            ContractAward.objects.create(contract=contract, vendor=vendor)

    @factory.post_generation
    def authorities(contract, create, extracted, **kwargs):
        if extracted:
            contract.authorities.set(extracted)

    @factory.post_generation
    def index_search(contract, create, extracted, **kwargs):
        """Keep search_text as the services would, so search tests see real data."""
        if not create:
            return
        contracts_refresh_search_text(contract_ids=[contract.pk])
        contract.refresh_from_db(fields=["search_text"])


class ExtensionOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExtensionOption

    contract = factory.SubFactory(ContractFactory)
    sequence = factory.Sequence(lambda n: n + 1)
    length_months = 12
    decide_by = factory.LazyAttribute(lambda o: o.contract.end_date - datetime.timedelta(days=90))
