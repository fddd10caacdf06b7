from django.contrib import admin
from django.db import transaction

from vendors.models import Vendor, VendorAlias, VendorContact
from vendors.services import vendor_refresh_search_names


class VendorAliasInline(admin.TabularInline):
    model = VendorAlias
    extra = 1


class VendorContactInline(admin.TabularInline):
    model = VendorContact
    extra = 1


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "vendor_code", "company_number", "status", "is_sme", "is_vcse")
    list_filter = ("status", "is_sme", "is_vcse")
    sortable_by = ("legal_name", "vendor_code", "status")  # The indexed columns.
    search_fields = ("legal_name", "vendor_code", "company_number", "aliases__name")
    inlines = (VendorAliasInline, VendorContactInline)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        vendor_refresh_search_names(vendor=form.instance)
        names_changed = (
            not change
            or set(form.changed_data) & NAME_FIELDS
            or any(formset.has_changed() for formset in formsets if formset.model is VendorAlias)
        )
        if names_changed:
            vendor_id = form.instance.pk
            transaction.on_commit(lambda: _match_payees(vendor_id))


# What spend matches payees on: a change to any of them may match unmatched payees.
NAME_FIELDS = {"legal_name", "company_number", "vendor_code"}


def _match_payees(vendor_id: int) -> None:
    from spend.tasks import match_vendor_payees  # the app built on vendors

    match_vendor_payees.delay(vendor_id=vendor_id)
