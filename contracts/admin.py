from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.urls import reverse

from contracts.models import Contract, ContractAward, ContractDocument, ExtensionOption
from contracts.services import (
    contracts_refresh_search_text,
    spend_match_before_edit,
    spend_rematch_after_delete,
    spend_rematch_after_edit,
)
from procurement_hub.admin import RelatedInline
from procurement_hub.forms import DownloadLinkMixin


class AdminDownloadFileInput(DownloadLinkMixin, AdminFileWidget):
    """The admin's file input, its link going through the download view that checks access."""


class AwardInline(RelatedInline):
    model = ContractAward
    autocomplete_fields = ("vendor",)
    extra = 0
    related = ("contract", "vendor")


class ExtensionOptionInline(RelatedInline):
    model = ExtensionOption
    extra = 0
    related = ("exercised_by",)
    readonly_fields = ("exercised_at", "exercised_by")


class DocumentForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        document = self.instance
        if document.pk and document.file:
            url = reverse("contracts:document", args=[document.contract.reference, document.pk])
            self.fields["file"].widget = AdminDownloadFileInput(download_url=url)


class DocumentInline(RelatedInline):
    model = ContractDocument
    form = DocumentForm
    extra = 0
    related = ("contract",)


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "category", "status", "end_date")
    sortable_by = ("reference", "title", "status", "end_date")  # Indexed, no join.
    list_filter = ("status", "kind", "category__pillar")
    list_select_related = ("category",)
    search_fields = ("reference", "title")
    autocomplete_fields = ("contract_manager", "secondary_contract_manager", "sourcing_manager")
    filter_horizontal = ("authorities",)
    inlines = (AwardInline, ExtensionOptionInline, DocumentInline)
    show_full_result_count = False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and "guide_file" in form.base_fields:  # A class made for this call.
            url = reverse("contracts:guide", args=[obj.reference])
            form.base_fields["guide_file"].widget = AdminDownloadFileInput(download_url=url)
        return form

    # The admin saves past contracts.services: what the spend rule reads is compared before
    # and after, as the services do, so payments follow a change of dates, status,
    # authorities or awards made here too.
    def save_model(self, request, obj, form, change):
        obj._spend_before = spend_match_before_edit(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        contracts_refresh_search_text(contract_ids=[form.instance.pk])
        spend_rematch_after_edit(form.instance, before=form.instance._spend_before)

    def delete_model(self, request, obj):
        spend_rematch_after_delete([obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        spend_rematch_after_delete(queryset)
        super().delete_queryset(request, queryset)
