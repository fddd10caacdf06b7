"""The dashboard's filters: pillar, category, authority and period (bounded choice lists)."""

from django import forms

from categories.models import Authority, Category, Pillar
from kpis import selectors
from procurement_hub.forms import BootstrapFormMixin


class DashboardFilterForm(BootstrapFormMixin, forms.Form):
    pillar = forms.ModelChoiceField(queryset=Pillar.objects.all(), required=False)
    category = forms.ModelChoiceField(
        queryset=Category.objects.select_related("pillar"), required=False
    )
    authority = forms.ModelChoiceField(queryset=Authority.objects.all(), required=False)
    period = forms.ChoiceField(required=False, help_text="Reviews whose period ends in it.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", "Latest review"), *selectors.recent_quarters()]

    def filters(self) -> dict:
        data = self.cleaned_data
        period = data.get("period")
        return {
            "pillar": data.get("pillar"),
            "category": data.get("category"),
            "authority": data.get("authority"),
            "period": selectors.quarter_range(period) if period else None,
        }
