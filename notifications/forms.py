from django import forms

from notifications.models import Delivery


class PreferenceForm(forms.Form):
    delivery = forms.ChoiceField(
        label="How should we email you?",
        choices=Delivery.choices,
        widget=forms.RadioSelect,
    )
