"""KPI forms: logging a review (header, one row per KPI, actions), schedule, KPIs, evidence."""

from django import forms

from categories.models import Role
from categories.selectors import staff_with_roles
from contracts.forms import DATE, PersonChoiceField
from contracts.models import Contract
from kpis import services
from kpis.models import ContractKpi, Frequency, KpiTemplate, Rating, Review, ReviewSchedule
from procurement_hub.forms import BootstrapFormMixin
from vendors.models import Vendor

RATING_CHOICES = [("", "– use the suggestion –"), *Rating.choices]
# People who may own an agreed action: hub staff (a bounded list, a few dozen at most).
ACTION_OWNER_ROLES = [role for role in Role.values if role != Role.BUYER]


class ReviewForm(BootstrapFormMixin, forms.ModelForm):
    """A review's header plus, for each active KPI of the contract, value / rating / comment."""

    vendor = forms.ModelChoiceField(queryset=Vendor.objects.none())

    class Meta:
        model = Review
        fields = [
            "vendor", "period_start", "period_end", "meeting_date", "attendees",
            "overall_rating", "narrative", "is_published",
        ]  # fmt: skip
        widgets = {
            "period_start": DATE,
            "period_end": DATE,
            "meeting_date": DATE,
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "narrative": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, contract: Contract, kpis: list[ContractKpi], submitting=False, **kw):
        self.contract = contract
        self.kpis = kpis
        self.submitting = submitting
        super().__init__(*args, **kw)
        self.fields["vendor"].queryset = Vendor.objects.filter(awards__contract=contract).distinct()
        if self.instance.pk:
            self.fields["vendor"].disabled = True
        self.fields["overall_rating"].required = False
        self.fields["overall_rating"].help_text = "The statutory rating; needed to submit."
        results = {r.kpi_id: r for r in self.instance.results.all()} if self.instance.pk else {}
        for kpi in kpis:
            current = results.get(kpi.pk)
            direction = "higher is better" if kpi.higher_is_better else "lower is better"
            self.fields[f"value_{kpi.pk}"] = forms.DecimalField(
                label=f"{kpi.name} – measured value",
                required=False,
                max_digits=14,
                decimal_places=4,
                help_text=f"Target {kpi.target.normalize():f}{kpi.unit} ({direction}).",
                error_messages={"invalid": f"{kpi.name}: enter a number, e.g. 97.5."},
                initial=current.value if current else None,
                widget=forms.NumberInput(attrs={"step": "any", "class": "form-control"}),
            )
            self.fields[f"rating_{kpi.pk}"] = forms.ChoiceField(
                label=f"{kpi.name} – rating",
                choices=RATING_CHOICES,
                required=False,
                initial=current.rating
                if current and current.rating != current.suggested_rating
                else "",
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"comment_{kpi.pk}"] = forms.CharField(
                label=f"{kpi.name} – comment",
                required=False,
                initial=current.comment if current else "",
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )

    def kpi_rows(self):
        """(kpi, value field, rating field, comment field) for the template."""
        return [
            (kpi, self[f"value_{kpi.pk}"], self[f"rating_{kpi.pk}"], self[f"comment_{kpi.pk}"])
            for kpi in self.kpis
        ]

    def clean(self):
        data = super().clean()
        vendor = data.get("vendor") or (self.instance.vendor if self.instance.pk else None)
        start, end = data.get("period_start"), data.get("period_end")
        if vendor and start and end:
            exclude = [self.instance.pk] if self.instance.pk else []
            if self.instance.amends_id:
                exclude.append(self.instance.amends_id)
            errors = services.review_period_errors(
                contract=self.contract,
                vendor=vendor,
                period_start=start,
                period_end=end,
                exclude=exclude,
                correcting=self.instance.amends_id is not None,
            )
            for field, message in errors.items():
                self.add_error(None if field == "__all__" else field, message)
        if self.submitting and not data.get("overall_rating"):
            self.add_error("overall_rating", "Give an overall rating before submitting.")
        return data

    def service_fields(self) -> dict:
        names = ["period_start", "period_end", "meeting_date", "attendees", "overall_rating",
                 "narrative", "is_published"]  # fmt: skip
        return {name: self.cleaned_data[name] for name in names}

    def result_rows(self) -> list[dict]:
        return [
            {
                "kpi": kpi,
                "value": self.cleaned_data.get(f"value_{kpi.pk}"),
                "rating": self.cleaned_data.get(f"rating_{kpi.pk}") or "",
                "comment": self.cleaned_data.get(f"comment_{kpi.pk}", ""),
            }
            for kpi in self.kpis
        ]


class ActionForm(BootstrapFormMixin, forms.Form):
    description = forms.CharField(max_length=500, required=False)
    owner = PersonChoiceField(queryset=None, required=False)
    due_date = forms.DateField(required=False, widget=DATE)

    def __init__(self, *args, owners=None, owner_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        if owner_choices is not None:  # Read once for the whole formset, not once a form.
            self.fields["owner"].widget.choices = owner_choices

    def clean(self):
        data = super().clean()
        if data.get("description"):  # On the field that is missing: marked and linked there.
            if not data.get("owner") and "owner" not in self.errors:
                self.add_error("owner", "An action needs an owner.")
            if not data.get("due_date") and "due_date" not in self.errors:
                self.add_error("due_date", "An action needs a due date.")
        elif not data.get("description") and (data.get("owner") or data.get("due_date")):
            self.add_error("description", "Describe the action, or clear its owner and date.")
        return data


class _LazyChoices:
    """A field's choices, read from the database once, when first rendered (a formset that is
    only validated never reads them)."""

    def __init__(self, field):
        self.field, self.choices = field, None

    def __iter__(self):
        if self.choices is None:
            self.choices = list(self.field.choices)
        return iter(self.choices)


class BaseActionFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        owners = staff_with_roles(*ACTION_OWNER_ROLES)
        choices = _LazyChoices(PersonChoiceField(queryset=owners, required=False))
        kwargs.setdefault("form_kwargs", {}).update(owners=owners, owner_choices=choices)
        super().__init__(*args, **kwargs)

    def action_rows(self) -> list[dict]:
        return [
            {k: form.cleaned_data[k] for k in ("description", "owner", "due_date")}
            for form in self.forms
            if form.cleaned_data.get("description")
        ]


ActionFormSet = forms.formset_factory(ActionForm, formset=BaseActionFormSet, extra=3, max_num=20)


def action_initial(review: Review) -> list[dict]:
    return [
        {"description": a.description, "owner": a.owner_id, "due_date": a.due_date}
        for a in review.actions.all()
    ]


class EvidenceForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    file = forms.FileField()


class ScheduleForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ReviewSchedule
        fields = ["frequency", "anchor"]
        widgets = {"anchor": DATE}
        labels = {"anchor": "Periods start from"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["frequency"].choices = Frequency.choices


class ContractKpiForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ContractKpi
        fields = [
            "name", "unit", "target", "approaching", "higher_is_better", "weight",
            "data_source", "is_key", "description",
        ]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class TemplateCopyForm(BootstrapFormMixin, forms.Form):
    templates = forms.ModelMultipleChoiceField(
        queryset=KpiTemplate.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["templates"].queryset = KpiTemplate.objects.filter(
            category_id=contract.category_id
        )


class KpiTemplateForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = KpiTemplate
        fields = [
            "category", "name", "unit", "target", "approaching", "higher_is_better", "weight",
            "data_source", "is_key", "description",
        ]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories
