from django.contrib import admin

from spend.models import ExpenseCode, ImportReject, MappingProfile, Payee, SpendImport


class ViewOnlyAdmin(admin.ModelAdmin):
    """Rows kept by the spend services: a change here would bypass the re-match of payments,
    totals and summaries that the spend pages run (match a payee on "Unmatched payees", map a
    code on "Expense codes", withdraw an import on its page). The admin shows them only."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MappingProfile)
class MappingProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "authority", "date_formats", "updated_at")
    search_fields = ("name",)


@admin.register(SpendImport)
class SpendImportAdmin(ViewOnlyAdmin):
    list_display = ("file_name", "authority", "status", "imported_rows", "rejected_rows",
                    "duplicate_rows", "created_at")  # fmt: skip
    list_filter = ("status", "authority")
    sortable_by = ("status", "created_at")  # Indexed, no join.
    # The stored file by name: no view serves spend files (they hold payee names), and /media/
    # has no route.
    exclude = ("upload",)
    # Who made and who withdrew it are records, not choices (no dropdown of every user).
    readonly_fields = (
        *("stored_file", "content_hash", "detected", "created_at", "finished_at", "created_by"),
        *("months", "withdrawn_by", "withdrawn_at", "withdraw_reason"),
    )
    list_select_related = ("authority",)

    @admin.display(description="stored file")
    def stored_file(self, obj):
        return obj.upload.name


@admin.register(ImportReject)
class ImportRejectAdmin(ViewOnlyAdmin):
    list_display = ("spend_import", "row_number", "column", "value", "reason")
    # Up to 50,000 rows per import: in import and row order only (by the key's own column, not
    # the import's default order through a join), and not counted in full.
    sortable_by = ()
    ordering = ("spend_import_id", "row_number")
    show_full_result_count = False
    list_select_related = ("spend_import__authority",)
    raw_id_fields = ("spend_import",)


@admin.register(Payee)
class PayeeAdmin(ViewOnlyAdmin):
    list_display = ("name", "authority", "vendor", "match_method", "total_spend")
    list_filter = ("authority", "match_method")
    sortable_by = ("match_method", "total_spend")  # Indexed, no join.
    show_full_result_count = False
    search_fields = ("name", "normalized_name")
    raw_id_fields = ("vendor",)
    list_select_related = ("authority", "vendor")


@admin.register(ExpenseCode)
class ExpenseCodeAdmin(ViewOnlyAdmin):
    list_display = ("key", "name", "authority", "category", "total_spend")
    sortable_by = ("total_spend",)  # Indexed, no join.
    list_filter = ("authority",)
    search_fields = ("key", "name")
    list_select_related = ("authority", "category")
