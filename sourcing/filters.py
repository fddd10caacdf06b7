"""The project list's filters. Junk values are dropped, never a 500."""

import django_filters
from django import forms
from django.utils import timezone

from categories.models import Category, Pillar
from categories.selectors import staff_with_roles
from sourcing.forms import OWNER_ROLES
from sourcing.models import ProjectStatus, Rag, Route, Stage
from sourcing.selectors import rag_q

BEHIND = "behind"


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="title",
        lookup_expr="icontains",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Title"}),
    )
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, empty_label="Any status")
    stage = django_filters.ChoiceFilter(choices=Stage.choices, empty_label="Any stage")
    route = django_filters.ChoiceFilter(choices=Route.choices, empty_label="Any route")
    rag = django_filters.ChoiceFilter(
        choices=[*Rag.choices, (BEHIND, "Behind plan, amber or red")],
        method="filter_rag",
        empty_label="Any RAG",
        label="RAG",
    )
    pillar = django_filters.ModelChoiceFilter(
        field_name="category__pillar", queryset=Pillar.objects.all(), empty_label="Any pillar"
    )
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), empty_label="Any category"
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=staff_with_roles(*OWNER_ROLES), empty_label="Anyone", label="Sourcing manager"
    )
    kind = django_filters.ChoiceFilter(
        choices=(("reprocurement", "Re-procurements"), ("new", "New contracts")),
        method="filter_kind",
        empty_label="New and re-procurements",
        label="Kind",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["owner"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-select-sm form-control-sm"

    def filter_kind(self, queryset, name, value):
        return queryset.filter(predecessor__isnull=value == "new")

    def filter_rag(self, queryset, name, value):
        today = timezone.localdate()
        if value == BEHIND:  # What the workload report counts as behind plan.
            return queryset.filter(rag_q(Rag.AMBER, today) | rag_q(Rag.RED, today))
        return queryset.filter(rag_q(value, today))
