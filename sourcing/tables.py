"""The project list table."""

import django_tables2 as tables
from django.db.models import F
from django.template.loader import render_to_string
from django.utils.html import format_html

from contracts.tables import person_name
from sourcing.models import SourcingProject
from sourcing.selectors import project_rag


class ProjectTable(tables.Table):
    title = tables.Column(linkify=True)
    category = tables.Column(order_by=("category__code",))
    route = tables.Column()
    stage = tables.Column()
    rag = tables.Column(empty_values=(), orderable=False, verbose_name="RAG")
    owner = tables.Column(order_by=("owner__first_name", "owner__last_name"))
    stage_target_exit = tables.DateColumn(format="j M Y", verbose_name="Stage due")
    estimated_value = tables.Column(
        verbose_name="Estimated value", attrs={"td": {"class": "text-end"}}
    )
    predecessor = tables.Column(verbose_name="Re-procures", order_by=("predecessor__reference",))

    class Meta:
        model = SourcingProject
        fields = (
            "title",
            "category",
            "route",
            "stage",
            "rag",
            "owner",
            "stage_target_exit",
            "estimated_value",
            "predecessor",
        )
        order_by = ("stage_target_exit",)
        attrs = {"class": "table table-sm table-hover align-middle project-table"}
        empty_text = "No projects match these filters."

    def order_stage_target_exit(self, queryset, is_descending):
        column = F("stage_target_exit")
        column = column.desc(nulls_last=True) if is_descending else column.asc(nulls_last=True)
        return queryset.order_by(column, "pk"), True

    def order_estimated_value(self, queryset, is_descending):
        column = F("estimated_value")
        column = column.desc(nulls_last=True) if is_descending else column.asc(nulls_last=True)
        return queryset.order_by(column, "pk"), True

    def render_category(self, record):
        return format_html('<span title="{}">{}</span>', record.category.name, record.category.code)

    def render_owner(self, record):
        return person_name(record.owner)

    def render_rag(self, record):
        return render_to_string(
            "sourcing/_rag.html", {"rag": project_rag(record), "project": record}
        )

    def render_estimated_value(self, value):
        return f"{value:,.0f}"

    def render_predecessor(self, record):
        contract = record.predecessor
        return format_html('<a href="{}">{}</a>', contract.get_absolute_url(), contract.reference)
