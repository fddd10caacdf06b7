"""Forms of the sourcing pipeline. They validate input; services do the writing."""

from django import forms

from categories.models import Role
from categories.selectors import staff_with_roles
from contracts.access import filing_categories
from contracts.forms import DATE, PersonChoiceField
from contracts.models import Contract
from procurement_hub.forms import BootstrapFormMixin, sensible_date
from sourcing.access import may_reprocure
from sourcing.models import DecisionKind, Route, SourcingProject, Stage

OWNER_ROLES = (Role.SOURCING_MANAGER, Role.HEAD_OF_CATEGORY)
APPROVER_ROLES = (Role.HEAD_OF_CATEGORY, Role.CATEGORY_MANAGER, Role.HUB_ADMIN)


class ProjectForm(BootstrapFormMixin, forms.ModelForm):
    owner = PersonChoiceField(queryset=None)
    predecessor_reference = forms.CharField(
        label="Re-procures contract",
        required=False,
        max_length=40,
        help_text="The reference of the contract this project replaces, if any.",
    )

    class Meta:
        model = SourcingProject
        fields = ["title", "category", "authorities", "estimated_value", "route", "owner"]
        widgets = {"authorities": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user, with_plan: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["owner"].queryset = staff_with_roles(*OWNER_ROLES)
        self.fields["category"].queryset = filing_categories(
            user, self.instance.category_id
        ).select_related("pillar")
        if self.instance.pk and self.instance.predecessor_id:
            self.initial.setdefault("predecessor_reference", self.instance.predecessor.reference)
        self.stage_rows = []
        if with_plan:
            rows = {row.stage: row for row in self.instance.stages.all()}
            for stage in Stage.values:
                row = rows.get(stage)
                names = (f"target_entry_{stage}", f"target_exit_{stage}")
                for name, value in zip(
                    names,
                    (row.target_entry if row else None, row.target_exit if row else None),
                    strict=True,
                ):
                    self.fields[name] = forms.DateField(
                        required=False,
                        widget=DATE,
                        label=Stage(stage).label,
                        validators=[sensible_date],
                    )
                    self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
                    self.initial.setdefault(name, value)
                self.stage_rows.append((Stage(stage).label, self[names[0]], self[names[1]]))

    def clean_predecessor_reference(self):
        reference = self.cleaned_data["predecessor_reference"].strip().upper()
        if not reference:
            return None
        contract = Contract.objects.filter(reference=reference).first()
        if contract is None:
            raise forms.ValidationError(f"No contract has the reference {reference}.")
        unchanged = contract.pk == self.instance.predecessor_id
        if not unchanged and not may_reprocure(self.user, contract):
            # The handover supersedes the predecessor: a decision on that contract.
            raise forms.ValidationError(
                f"Only the contract manager of {reference}, its sourcing manager or the head of "
                "its category can start its re-procurement. Ask one of them to record the "
                "decision (Renewals), which starts the project."
            )
        return contract

    def clean(self):
        cleaned = super().clean()
        for stage in Stage.values:
            entry = cleaned.get(f"target_entry_{stage}")
            exit_ = cleaned.get(f"target_exit_{stage}")
            if entry and exit_ and exit_ < entry:
                self.add_error(f"target_exit_{stage}", "The target exit precedes the entry.")
        return cleaned

    def service_fields(self) -> dict:
        fields = {
            name: self.cleaned_data[name]
            for name in ("title", "category", "estimated_value", "route", "owner")
        }
        fields["predecessor"] = self.cleaned_data["predecessor_reference"]
        return fields

    def targets(self) -> dict:
        return {
            stage: (
                self.cleaned_data.get(f"target_entry_{stage}"),
                self.cleaned_data.get(f"target_exit_{stage}"),
            )
            for stage in Stage.values
        }


class MoveForm(forms.Form):
    stage = forms.TypedChoiceField(choices=Stage.choices, coerce=int)
    note = forms.CharField(required=False, max_length=2000)


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ResumeForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(required=False, max_length=2000, label="Note")


class DecisionForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        choices=DecisionKind.choices, widget=forms.RadioSelect, label="Decision"
    )
    option = forms.ModelChoiceField(
        queryset=None, required=False, label="Extension option", empty_label="–"
    )
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    approved_by = PersonChoiceField(queryset=None, label="Approved by")
    owner = PersonChoiceField(
        queryset=None, required=False, label="Sourcing manager (re-procurement)"
    )
    route = forms.ChoiceField(
        choices=Route.choices, required=False, label="Route to market (re-procurement)"
    )

    def __init__(self, *args, contract: Contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.contract = contract
        self.fields["option"].queryset = contract.extension_options.filter(exercised=False)
        self.fields["approved_by"].queryset = staff_with_roles(*APPROVER_ROLES)
        self.fields["owner"].queryset = staff_with_roles(*OWNER_ROLES)

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == DecisionKind.EXTEND and not cleaned.get("option"):
            self.add_error("option", "Choose the option to exercise.")
        if kind == DecisionKind.REPROCURE and not cleaned.get("owner"):
            self.add_error("owner", "Choose who runs the re-procurement.")
        return cleaned


class AwardForm(BootstrapFormMixin, forms.Form):
    reference = forms.CharField(max_length=40, label="Contract reference")
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE)
    max_end_date = forms.DateField(widget=DATE, required=False, label="Maximum end date")
    awarded_on = forms.DateField(widget=DATE, label="Award date")
    baseline_cost = forms.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    awarded_cost = forms.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    cashable_percent = forms.IntegerField(
        min_value=0, max_value=100, initial=100, label="Cashable share of the saving (%)"
    )

    def __init__(self, *args, project: SourcingProject, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        clash = Contract.objects.filter(reference=reference)
        if self.project.contract_id:
            clash = clash.exclude(pk=self.project.contract_id)
        if clash.exists():
            raise forms.ValidationError(f"Contract {reference} already exists.")
        return reference

    def clean(self):
        cleaned = super().clean()
        start, end, max_end = (cleaned.get(k) for k in ("start_date", "end_date", "max_end_date"))
        if start and end and end < start:
            self.add_error("end_date", "The end date must be on or after the start date.")
        if end and max_end and max_end < end:
            self.add_error("max_end_date", "The maximum end date must not precede the end date.")
        return cleaned

    def contract_fields(self) -> dict:
        fields = {k: self.cleaned_data[k] for k in ("reference", "start_date", "end_date")}
        fields["max_end_date"] = (
            self.cleaned_data.get("max_end_date") or self.cleaned_data["end_date"]
        )
        return fields


class HandoverItemForm(BootstrapFormMixin, forms.Form):
    content = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), max_length=20000, required=False
    )
