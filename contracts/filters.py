"""The contract index's filters. Junk values are dropped, never a 500."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from categories.models import Authority, Category, Pillar, Role
from categories.selectors import staff_with_roles
from contracts.models import ENDED_STATUSES, ContractAward, ContractStatus
from contracts.selectors import contracts_matching
from procurement_hub.text import search_terms
from vendors.models import Vendor

# The drop-down filters, styled as Bootstrap selects.
SELECTS = ("pillar", "category", "authority", "status", "contract_manager", "expires_within")
EXPIRY_WINDOWS = (("30", "30 days"), ("90", "90 days"), ("180", "180 days"))


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        widget=forms.TextInput(
            attrs={"placeholder": "Reference, title, vendor or category", "type": "search"}
        ),
    )
    pillar = django_filters.ModelChoiceFilter(
        method="filter_pillar",
        queryset=Pillar.objects.all(),
        empty_label="Any pillar",
        label="Pillar",
    )
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), empty_label="Any category", label="Category"
    )
    authority = django_filters.ModelChoiceFilter(
        queryset=Authority.objects.all(),
        method="filter_authority",
        empty_label="Any authority",
        label="Authority",
    )
    vendor = django_filters.ModelChoiceFilter(
        queryset=Vendor.objects.all(),
        method="filter_vendor",
        # An id filled in by the autocomplete: never a <select> of every vendor.
        widget=forms.HiddenInput,
        label="Vendor id",
    )
    vendor_name = django_filters.CharFilter(
        method="filter_vendor_name",
        label="Vendor",
        widget=forms.TextInput(attrs={"placeholder": "Start typing a vendor name"}),
    )
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices, empty_label="Any status")
    contract_manager = django_filters.ModelChoiceFilter(
        queryset=staff_with_roles(
            Role.CONTRACT_MANAGER, Role.CATEGORY_MANAGER, Role.CATEGORY_OFFICER
        ),
        method="filter_contract_manager",
        empty_label="Anyone",
        label="Contract manager",
    )
    expires_within = django_filters.ChoiceFilter(
        choices=EXPIRY_WINDOWS,
        method="filter_expires_within",
        empty_label="Any time",
        label="Expires within",
    )
    show_expired = django_filters.BooleanFilter(
        method="filter_show_expired",
        label="Include expired contracts",
        widget=forms.CheckboxInput,
    )

    def __init__(self, data=None, *args, today: datetime.date | None = None, **kwargs):
        self.today = today or timezone.localdate()
        super().__init__(data, *args, **kwargs)
        self.form.fields["contract_manager"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )
        for name in SELECTS:
            self.form.fields[name].widget.attrs.setdefault("class", "form-select form-select-sm")

    def narrows(self) -> bool:
        """A valid pillar, category or "expires within" filter keeps a small share of contracts."""
        data = getattr(self.form, "cleaned_data", None)
        if data is None:
            data = self.form.cleaned_data if self.form.is_valid() else {}
        return any(data.get(name) for name in ("pillar", "category", "expires_within"))

    def shows_ended(self) -> bool:
        """Ended contracts are hidden unless asked for: by the box, or by an ended status."""
        data = getattr(self.form, "cleaned_data", {})
        return bool(data.get("show_expired")) or data.get("status") in ENDED_STATUSES

    @property
    def qs(self):
        # django-filter applies only the fields that validated: a junk value is ignored.
        queryset = super().qs
        if not self.shows_ended():
            queryset = queryset.exclude(status__in=ENDED_STATUSES).filter(
                Q(end_date__gte=self.today) | Q(end_date__isnull=True)
            )
        return queryset

    def filter_search(self, queryset, name, value):
        return contracts_matching(queryset, value)

    def filter_pillar(self, queryset, name, value):
        # The pillar's categories as literal ids (one small query), so PostgreSQL tests them
        # inside the contract indexes rather than joining categories first.
        return queryset.filter(category_id__in=list(value.categories.values_list("pk", flat=True)))

    def filter_authority(self, queryset, name, value):
        through = queryset.model.authorities.through
        return queryset.filter(
            Exists(through.objects.filter(contract_id=OuterRef("pk"), authority=value))
        )

    def filter_vendor(self, queryset, name, value):
        return queryset.filter(
            Exists(ContractAward.objects.filter(contract_id=OuterRef("pk"), vendor=value))
        )

    def filter_vendor_name(self, queryset, name, value):
        vendors = Vendor.objects.all()
        for term in search_terms(value):
            vendors = vendors.filter(search_names__contains=term)
        return queryset.filter(
            Exists(ContractAward.objects.filter(contract_id=OuterRef("pk"), vendor__in=vendors))
        )

    def filter_contract_manager(self, queryset, name, value):
        return queryset.managed_by(value, today=self.today, resolve=True)

    def filter_expires_within(self, queryset, name, value):
        days = int(value)
        return queryset.filter(
            end_date__gte=self.today, end_date__lte=self.today + datetime.timedelta(days=days)
        )

    def filter_show_expired(self, queryset, name, value):
        return queryset  # Applied in qs, after the other filters.
