"""Every filter and sort a page offers leads an index: the contract, project, vendor and payment
tables, the contract and project filters, and the admin's change lists (their filters, sortable
columns and default order).

A column counts as indexed when it is a primary key, unique, has db_index, is a foreign key
(Django indexes those), or leads an index or unique constraint with no condition (a partial
index serves only queries that repeat its condition). The exceptions below are each bounded or
guarded, and say how."""

import pytest
from django.contrib import admin
from django.db import connection, models

from contracts.filters import ContractFilter
from contracts.models import Contract
from contracts.tables import ContractTable
from sourcing.filters import ProjectFilter
from sourcing.models import SourcingProject
from sourcing.tables import ProjectTable
from spend.tables import TransactionTable
from vendors.tables import VendorTable

# Tables whose rows are bounded by configuration, not by use: sorting them reads a few hundred
# rows at most.
BOUNDED = {
    "auth.User": "staff accounts",
    "categories.Pillar": "a handful of pillars",
    "categories.Category": "the category tree",
    "categories.Authority": "the bodies a hub serves",
    "categories.StaffProfile": "one per staff account",
    "kpis.KpiTemplate": "a category's standard KPIs",
    "notifications.ReminderSettings": "one row",
    "notifications.Preference": "one per staff account",
    "spend.MappingProfile": "one per source of spend files",
}

# (source, model field) pairs that need no index of their own, and why.
EXEMPT = {
    # The payments list refuses these sorts past its cap of 10,000 rows (spend.views), so they
    # sort at most 10,000 rows that an indexed filter found.
    ("table TransactionTable.reference sort", "spend.Transaction.reference"),
    ("table TransactionTable.amount sort", "spend.Transaction.amount"),
}

# Sorts through a join that no index serves, kept because people sort by them: the sort reads
# the rows the filters kept. Listed as left out in the closing note of stop 16.
EXEMPT |= {
    ("table ContractTable.category sort", "category__code"),
    ("table ProjectTable.category sort", "category__code"),
    ("table ProjectTable.owner sort", "owner__first_name"),
    ("table ProjectTable.owner sort", "owner__last_name"),
    ("table ProjectTable.predecessor sort", "predecessor__reference"),
}

# Columns sorted by an annotation: what serves them.
ANNOTATED = {
    # Counted per vendor of the page's query by award_vendor_contract_idx.
    ("VendorTable", "contract_count"),
}


def indexed_columns(model) -> set[str]:
    meta = model._meta
    columns = {
        field.name
        for field in meta.concrete_fields
        if field.primary_key
        or field.unique
        or field.db_index
        or isinstance(field, models.ForeignKey)
    }
    columns |= {
        index.fields[0].lstrip("-")
        for index in meta.indexes
        if index.fields and not index.condition
    }
    columns |= {
        constraint.fields[0]
        for constraint in meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
        and constraint.fields
        and constraint.condition is None
    }
    columns |= {fields[0] for fields in meta.unique_together}
    return columns


def joined_sort(source: str, model, path: str) -> list[str]:
    """A sort that no index of `model` can serve: by a column of another table (a__b), or by a
    foreign key whose model has a default order (Django then sorts by that order, through a
    join: found by review, the admin's 'contract' column sorted reviews by contract end date)."""
    if model._meta.label in BOUNDED or (source, path) in EXEMPT:
        return []
    parts = path.split("__")
    field = model._meta.pk if parts[0] == "pk" else model._meta.get_field(parts[0])
    # By the key's own column (contract_id), not the relation (contract): no join.
    related = field.related_model if field.is_relation and parts[0] == field.name else None
    if len(parts) > 1 or (related is not None and related._meta.ordering):
        return [f"{source}: {model._meta.label} by {path} (a join)"]
    return []


def unindexed(source: str, model, path: str) -> list[str]:
    """The fields along `path` (a__b__c) that no index leads, as 'app.Model.field'; for a sort,
    also a sort through a join."""
    missing = joined_sort(source, model, path) if source.endswith(("sort", "order")) else []
    for part in path.split("__"):
        field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        label = f"{model._meta.label}.{field.name}"
        if (
            field.concrete
            and model._meta.label not in BOUNDED
            and field.name not in indexed_columns(model)
            and (source, label) not in EXEMPT
        ):
            missing.append(f"{source}: {label}")
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return missing


def admin_uses():
    for model, model_admin in admin.site._registry.items():
        name = f"admin {model.__name__}"
        for item in model_admin.list_filter:
            if isinstance(item, str):
                yield f"{name} filter", model, item
        sortable = model_admin.sortable_by
        for column in model_admin.list_display:
            if not isinstance(column, str) or (sortable is not None and column not in sortable):
                continue
            try:
                model._meta.get_field(column)
            except Exception:  # A method column: admin sorts it only by its declared ordering.
                ordering = getattr(getattr(model_admin, column, None), "admin_order_field", None)
                if ordering:
                    yield f"{name} sort", model, ordering.lstrip("-")
                continue
            yield f"{name} sort", model, column
        # The default order's first column; the rest break ties among its equal values.
        ordering = model_admin.get_ordering(None) or model._meta.ordering
        if ordering and isinstance(ordering[0], str):
            yield f"{name} order", model, ordering[0].lstrip("-")
        if model_admin.date_hierarchy:
            yield f"{name} date hierarchy", model, model_admin.date_hierarchy


def table_uses():
    for table_class in (ContractTable, ProjectTable, VendorTable, TransactionTable):
        table = table_class([])
        model = table_class._meta.model
        name = table_class.__name__
        for column in table.columns:
            if not column.orderable or (name, column.name) in ANNOTATED:
                continue
            for key in column.order_by or (column.accessor,):
                path = str(key).lstrip("-").replace(".", "__")
                yield f"table {name}.{column.name} sort", model, path


# Word searches (contains/icontains) that no B-tree serves, as (table, column).
TEXT_SEARCHES = {
    ("contracts_contract", "search_text"),  # contracts.selectors.contracts_matching
    ("vendors_vendor", "search_names"),  # vendors.selectors, contracts.filters (vendor name)
}
TEXT_LOOKUPS = {"contains", "icontains"}


def filter_uses():
    for filter_class, model in ((ContractFilter, Contract), (ProjectFilter, SourcingProject)):
        for name, declared in filter_class.base_filters.items():
            if declared.method:  # Written by hand in the filter class, with its index named.
                continue
            if declared.lookup_expr in TEXT_LOOKUPS:  # Served by a trigram index instead.
                continue
            yield f"filter {filter_class.__name__}.{name}", model, declared.field_name


@pytest.mark.parametrize(
    "uses", [admin_uses, table_uses, filter_uses], ids=["admin", "tables", "filters"]
)
def test_every_filter_and_sort_leads_an_index(uses):
    missing = [gap for source, model, path in uses() for gap in unindexed(source, model, path)]
    assert missing == []


def test_the_exemptions_are_still_needed():
    """An exemption that no page uses any more is removed, so the list stays true."""
    sources = {source for uses in (admin_uses, table_uses, filter_uses) for source, *_ in uses()}
    assert {source for source, _ in EXEMPT} <= sources
    tables_ = {table.__name__: table([]) for table in (VendorTable,)}
    for table_name, column in ANNOTATED:
        assert tables_[table_name].columns[column].orderable


def text_filters() -> set[tuple[str, str]]:
    return {
        (model._meta.db_table, model._meta.get_field(declared.field_name).column)
        for filter_class, model in ((ContractFilter, Contract), (ProjectFilter, SourcingProject))
        for declared in filter_class.base_filters.values()
        if not declared.method and declared.lookup_expr in TEXT_LOOKUPS
    }


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_every_word_search_has_a_trigram_index_on_postgresql():
    searches = TEXT_SEARCHES | text_filters()
    assert ("sourcing_sourcingproject", "title") in searches
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE indexdef LIKE %s", ["%gin_trgm_ops%"]
        )
        trigram = cursor.fetchall()
    missing = {
        (table, column)
        for table, column in searches
        if not any(name == table and column in definition for name, definition in trigram)
    }
    assert missing == set()
