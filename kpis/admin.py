from django.contrib import admin

from kpis.models import ContractKpi, KpiTemplate, Review, ReviewSchedule


@admin.register(KpiTemplate)
class KpiTemplateAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "category",
        "unit",
        "target",
        "approaching",
        "higher_is_better",
        "is_key",
    ]
    list_filter = ["category"]
    search_fields = ["name"]


@admin.register(ContractKpi)
class ContractKpiAdmin(admin.ModelAdmin):
    list_display = ["name", "contract", "target", "is_key", "is_active"]
    # One row per KPI of every contract: in contract order by its key column, no other sort.
    sortable_by = []
    ordering = ["contract_id", "-is_key", "name"]
    raw_id_fields = ["contract", "template"]
    search_fields = ["name", "contract__reference"]


@admin.register(ReviewSchedule)
class ReviewScheduleAdmin(admin.ModelAdmin):
    list_display = ["contract", "frequency", "next_due", "latest_rating"]
    sortable_by = ["next_due", "latest_rating"]  # Indexed, no join.
    raw_id_fields = ["contract"]
    readonly_fields = ["next_due", "last_period_end", "latest_rating", "previous_rating"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Read-only: reviews change only through kpis.services."""

    list_display = ["contract", "vendor", "period_start", "period_end", "state", "overall_rating"]
    list_filter = ["state", "overall_rating"]
    sortable_by = ["period_end", "state", "overall_rating"]  # Indexed, no join.
    raw_id_fields = ["contract", "vendor", "amends"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
