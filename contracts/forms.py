"""Contract create and edit forms."""

from django import forms
from django.urls import reverse
from django.utils.functional import cached_property

from categories.models import Role
from categories.selectors import staff_with_roles
from contracts.models import Contract
from procurement_hub.forms import BootstrapFormMixin, DownloadFileInput, SensibleDatesMixin
from vendors.selectors import several_named_message, vendors_named, vendors_named_many

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MANAGER_ROLES = (
    Role.CONTRACT_MANAGER,
    Role.CATEGORY_MANAGER,
    Role.CATEGORY_OFFICER,
    Role.HEAD_OF_CATEGORY,
)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        title = getattr(getattr(obj, "profile", None), "job_title", "")
        name = obj.get_full_name() or obj.get_username()
        return f"{name} – {title}" if title else name


class ContractForm(BootstrapFormMixin, forms.ModelForm):
    contract_manager = PersonChoiceField(queryset=None, required=False)
    secondary_contract_manager = PersonChoiceField(queryset=None, required=False)
    sourcing_manager = PersonChoiceField(queryset=None, required=False)

    class Meta:
        model = Contract
        fields = [
            "reference", "title", "description", "category", "authorities", "kind", "status",
            "start_date", "end_date", "max_end_date", "estimated_value", "awarded_value",
            "currency", "sourcing_manager", "contract_manager", "secondary_contract_manager",
            "cpv_code", "is_public", "guide_who_may_use", "guide_how_to_buy",
            "guide_pricing_basis", "guide_file", "guide_url",
        ]  # fmt: skip
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "max_end_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "guide_who_may_use": forms.Textarea(attrs={"rows": 2}),
            "guide_how_to_buy": forms.Textarea(attrs={"rows": 3}),
            "guide_pricing_basis": forms.Textarea(attrs={"rows": 2}),
            "authorities": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        if categories is not None:  # Those the user may file it in (contracts.access).
            self.fields["category"].queryset = categories
        self.fields["contract_manager"].queryset = staff_with_roles(*MANAGER_ROLES)
        self.fields["secondary_contract_manager"].queryset = staff_with_roles(*MANAGER_ROLES)
        self.fields["sourcing_manager"].queryset = staff_with_roles(
            Role.SOURCING_MANAGER, Role.HEAD_OF_CATEGORY
        )
        self.fields["category"].queryset = self.fields["category"].queryset.select_related("pillar")
        if self.instance.pk:
            guide = reverse("contracts:guide", args=[self.instance.reference])
            attrs = self.fields["guide_file"].widget.attrs  # The mixin's classes.
            self.fields["guide_file"].widget = DownloadFileInput(download_url=guide, attrs=attrs)

    def service_fields(self) -> dict:
        """Cleaned values for the contract services: files only when changed, no m2m."""
        fields = {k: v for k, v in self.cleaned_data.items() if k != "authorities"}
        if fields.get("guide_file") is None:
            fields.pop("guide_file", None)
        elif fields["guide_file"] is False:
            fields["guide_file"] = ""
        return fields

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()


class AwardForm(SensibleDatesMixin, forms.Form):
    vendor = forms.CharField(
        max_length=255,
        widget=forms.TextInput(attrs={"list": "vendor-options", "autocomplete": "off"}),
        help_text="Legal name, trading name or vendor code.",
    )
    lot = forms.CharField(max_length=60, required=False)
    vendor_contract_number = forms.CharField(max_length=60, required=False)
    value = forms.DecimalField(max_digits=16, decimal_places=2, min_value=0, required=False)
    awarded_on = forms.DateField(required=False, widget=DATE)

    def __init__(self, *args, named: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.named = named or {}  # Vendors by name, looked up for the whole formset at once.

    def clean_vendor(self):
        text = self.cleaned_data["vendor"]
        key = text.strip().upper()
        vendors = self.named[key] if key in self.named else vendors_named(text)
        if not vendors:
            raise forms.ValidationError(
                f"No vendor is called “{text}”. Pick one from the suggestions, or add the "
                "vendor first."
            )
        if len(vendors) > 1:  # Never guess between vendors of the same name.
            raise forms.ValidationError(several_named_message(text, vendors))
        return vendors[0]


class BaseAwardFormSet(forms.BaseFormSet):
    """Award rows: the vendors they name are looked up together (three queries for up to 200
    rows, instead of two a row)."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if self.is_bound:
            kwargs["named"] = self._named
        return kwargs

    @cached_property
    def _named(self) -> dict:
        rows = range(min(self.total_form_count(), self.max_num + 1))
        texts = (self.data.get(self.add_prefix(f"{i}-vendor"), "") for i in rows)
        # Only texts the field could accept: the field says what is wrong with the others
        # (a NUL byte, which PostgreSQL refuses in a query, or too long).
        return vendors_named_many(t for t in texts if len(t) <= 255 and "\x00" not in t)

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            key = (form.cleaned_data["vendor"].pk, form.cleaned_data.get("lot", ""))
            if key in seen:
                raise forms.ValidationError("The same vendor is listed twice for one lot.")
            seen.add(key)

    def award_rows(self) -> list[dict]:
        return [
            {
                "vendor": form.cleaned_data["vendor"],
                "lot": form.cleaned_data.get("lot", ""),
                "vendor_contract_number": form.cleaned_data.get("vendor_contract_number", ""),
                "value": form.cleaned_data.get("value"),
                "awarded_on": form.cleaned_data.get("awarded_on"),
            }
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


AwardFormSet = forms.formset_factory(
    AwardForm, formset=BaseAwardFormSet, extra=2, can_delete=True, max_num=200, validate_max=True
)


def award_initial(contract: Contract) -> list[dict]:
    return [
        {
            "vendor": award.vendor.legal_name,
            "lot": award.lot,
            "vendor_contract_number": award.vendor_contract_number,
            "value": award.value,
            "awarded_on": award.awarded_on,
        }
        for award in contract.awards.select_related("vendor")
    ]
