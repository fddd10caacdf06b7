"""Forms of the spend pages: analysis filters, upload, mapping preview, matching."""

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings

from categories.models import Authority, Category, Pillar
from procurement_hub.forms import BootstrapFormMixin, sensible_date
from spend.mapping import FIELDS, REQUIRED
from spend.models import ImportMode, MappingProfile
from spend.values import UNDATED_NEEDS_REFERENCE, undated_as_problem
from vendors.models import Vendor
from vendors.selectors import several_named_message, vendors_named

DATE = forms.DateInput({"type": "date"}, format="%Y-%m-%d")


class SpendDateField(forms.DateField):
    def __init__(self, **kwargs):
        super().__init__(required=False, widget=forms.DateInput({"type": "date"}),
                         validators=[sensible_date], **kwargs)  # fmt: skip


@dataclass(frozen=True)
class SpendFilters:
    authority: Authority | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    pillar: Pillar | None = None
    category: Category | None = None


class SpendFilterForm(BootstrapFormMixin, forms.Form):
    """Every analysis page filters by authority, date range, pillar and category. Values that do
    not clean (junk in the query string) are dropped, never a 500."""

    authority = forms.ModelChoiceField(
        Authority.objects.all(), required=False, empty_label="Any authority"
    )
    date_from = SpendDateField(label="From")
    date_to = SpendDateField(label="To")
    pillar = forms.ModelChoiceField(Pillar.objects.all(), required=False, empty_label="Any pillar")
    category = forms.ModelChoiceField(
        Category.objects.select_related("pillar"), required=False, empty_label="Any category"
    )

    def clean(self):
        """Filters that cannot both hold say so, and the second is dropped (never a silent £0):
        To before From, or a category outside the chosen pillar."""
        data = super().clean()
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", "To is before From: this date is left out.")
        pillar, category = data.get("pillar"), data.get("category")
        if pillar and category and category.pillar_id != pillar.pk:
            self.add_error(
                "category", f"{category.code} is in another pillar: this category is left out."
            )
        return data

    def filters(self) -> SpendFilters:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return SpendFilters(**{name: data.get(name) for name in SpendFilters.__dataclass_fields__})

    def whole_months(self) -> dict[str, str]:
        """The dates to put in the query string so that they cover whole months (the grain of
        the summaries the analysis pages read): From to its month's first day, To to its last.
        Empty when they do already."""
        filters = self.filters()
        changes = {}
        if filters.date_from and filters.date_from.day != 1:
            changes["date_from"] = filters.date_from.replace(day=1).isoformat()
        if filters.date_to:
            last = calendar.monthrange(filters.date_to.year, filters.date_to.month)[1]
            if filters.date_to.day != last:
                changes["date_to"] = filters.date_to.replace(day=last).isoformat()
        return changes


class OffContractFilterForm(SpendFilterForm):
    threshold = forms.DecimalField(
        required=False, min_value=0, max_value=Decimal("999999999999"), decimal_places=2,
        label="Paid at least (£)", widget=forms.NumberInput({"step": "any", "min": "0"}),
    )  # fmt: skip

    def threshold_value(self) -> Decimal:
        """The form's threshold, else the hub's (SPEND_OFF_CONTRACT_THRESHOLD)."""
        self.is_valid()
        value = getattr(self, "cleaned_data", {}).get("threshold")
        return settings.SPEND_OFF_CONTRACT_THRESHOLD if value is None else value


class UploadForm(BootstrapFormMixin, forms.Form):
    authority = forms.ModelChoiceField(Authority.objects.all())
    file = forms.FileField(help_text="CSV or XLSX.")
    profile = forms.ModelChoiceField(
        MappingProfile.objects.all(),
        required=False,
        help_text="Leave empty: a profile saved for files with the same columns is used by itself.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.SPEND_UPLOAD_MAX_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(f"Files up to {settings.SPEND_UPLOAD_MAX_MB} MB.")
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise forms.ValidationError("Upload a CSV or XLSX file.")
        return upload


class MappingForm(BootstrapFormMixin, forms.Form):
    """One choice per canonical field among the file's headers, preset to the detection."""

    mode = forms.ChoiceField(choices=ImportMode.choices, initial=ImportMode.ALL_OR_NOTHING)
    date_formats = forms.CharField(
        required=False,
        max_length=200,
        help_text=(
            "Extra date formats, comma separated (e.g. %d.%m.%Y). dd/mm/yyyy and ISO always work."
        ),
    )
    undated_as = forms.DateField(
        required=False,
        label="Date for undated rows",
        widget=DATE,
        validators=[sensible_date],
        help_text=(
            "Rows whose date cell is empty or holds only a time are rejected. Give a date (say "
            "the last day of the file's period) to import them with it, marked as assumed."
        ),
    )
    save_profile_as = forms.CharField(
        required=False,
        max_length=120,
        help_text=(
            "Save this mapping under a name: the next file with these columns imports in one click."
        ),
    )

    def __init__(self, *args, headers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— not in this file —")] + [(h, h) for h in headers]
        for name, label in FIELDS.items():
            self.fields[f"map_{name}"] = forms.ChoiceField(
                choices=choices, required=name in REQUIRED, label=label
            )
            self.fields[f"map_{name}"].widget.attrs["class"] = "form-select form-select-sm"

    def mapping_fields(self):
        return [self[f"map_{name}"] for name in FIELDS]

    def mapping(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[f"map_{name}"]
            for name in FIELDS
            if self.cleaned_data.get(f"map_{name}")
        }

    def clean_undated_as(self):
        day = self.cleaned_data["undated_as"]
        if problem := undated_as_problem(day):
            raise forms.ValidationError(problem)
        return day

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"map_{n}") for n in FIELDS if data.get(f"map_{n}")]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError("A column can fill one field only.")
        if data.get("undated_as") and not data.get("map_reference"):
            self.add_error("undated_as", UNDATED_NEEDS_REFERENCE)
        return data


class ExpenseCodeForm(forms.Form):
    category = forms.ModelChoiceField(Category.objects.all(), required=False)


class PayeeConfirmForm(forms.Form):
    """A suggested vendor (its id), or any vendor by legal name, alias or vendor code."""

    vendor = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    vendor_name = forms.CharField(required=False, max_length=255)

    def clean(self):
        data = super().clean()
        name = (data.get("vendor_name") or "").strip()
        if data.get("vendor"):
            vendors = list(Vendor.objects.filter(pk=data["vendor"]))
        else:
            vendors = vendors_named(name)
        if not vendors:
            raise forms.ValidationError(
                f"No vendor is called “{name}”." if name else "Choose a vendor to match."
            )
        if len(vendors) > 1:  # Legal names are not unique: never pick one at random.
            raise forms.ValidationError(several_named_message(name, vendors))
        data["vendor_obj"] = vendors[0]
        return data


class WithdrawForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=500,
        label="Why withdraw it?",
        help_text="Kept with the import, e.g. “imported under the wrong council”.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why, for the record.")
        return reason
