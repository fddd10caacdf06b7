"""Admin views of the sourcing pipeline: for looking things up; changes go through the pages,
whose services keep the history, the plan state and the contract in step."""

from django.contrib import admin

from procurement_hub.admin import RelatedInline
from sourcing.models import (
    ContractSuccession,
    Handover,
    HandoverItem,
    ProjectHistory,
    ProjectStage,
    RenewalDecision,
    SourcingProject,
)


class ProjectStageInline(admin.TabularInline):
    model = ProjectStage
    extra = 0
    can_delete = False


class ProjectHistoryInline(RelatedInline):
    model = ProjectHistory
    extra = 0
    can_delete = False
    related = ("project", "by")
    readonly_fields = ("kind", "from_stage", "to_stage", "note", "by", "at")


@admin.register(SourcingProject)
class SourcingProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "route", "stage", "status", "owner", "stage_target_exit")
    list_filter = ("status", "stage", "route", "category__pillar")
    sortable_by = ("title", "route", "stage", "status", "stage_target_exit")  # Indexed, no join.
    search_fields = ("title", "predecessor__reference", "contract__reference")
    raw_id_fields = ("owner", "predecessor", "contract", "category")
    list_select_related = ("category", "owner")
    inlines = [ProjectStageInline, ProjectHistoryInline]


@admin.register(RenewalDecision)
class RenewalDecisionAdmin(admin.ModelAdmin):
    list_display = ("contract", "kind", "term_end", "new_end_date", "approved_by", "decided_at")
    list_filter = ("kind",)
    sortable_by = ("decided_at",)  # The indexed column.
    search_fields = ("contract__reference",)
    raw_id_fields = ("contract", "option", "project", "approved_by", "decided_by")
    list_select_related = ("contract", "approved_by")


class HandoverItemInline(admin.TabularInline):
    model = HandoverItem
    extra = 0
    raw_id_fields = ("accepted_by",)


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    list_display = ("contract", "project", "accepted_at", "accepted_by")
    sortable_by = ()
    raw_id_fields = ("contract", "project", "accepted_by")
    list_select_related = ("contract", "project", "accepted_by")
    inlines = [HandoverItemInline]


@admin.register(ContractSuccession)
class ContractSuccessionAdmin(admin.ModelAdmin):
    list_display = ("predecessor", "successor", "project", "at")
    sortable_by = ()
    raw_id_fields = ("predecessor", "successor", "project")
    list_select_related = ("predecessor", "successor", "project")
