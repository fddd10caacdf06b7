from django.contrib import admin

from contracts.models import Contract, ContractAward, ContractDocument, ExtensionOption
from contracts.services import contracts_refresh_search_text


class AwardInline(admin.TabularInline):
    model = ContractAward
    autocomplete_fields = ("vendor",)
    extra = 0


class ExtensionOptionInline(admin.TabularInline):
    model = ExtensionOption
    extra = 0
    readonly_fields = ("exercised_at", "exercised_by")


class DocumentInline(admin.TabularInline):
    model = ContractDocument
    extra = 0


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "category", "status", "end_date")
    list_filter = ("status", "kind", "category__pillar")
    list_select_related = ("category",)
    search_fields = ("reference", "title")
    autocomplete_fields = ("contract_manager", "secondary_contract_manager", "sourcing_manager")
    filter_horizontal = ("authorities",)
    inlines = (AwardInline, ExtensionOptionInline, DocumentInline)
    show_full_result_count = False

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        contracts_refresh_search_text(contract_ids=[form.instance.pk])
