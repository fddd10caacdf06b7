from django.contrib import admin

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
    search_fields = ("legal_name", "vendor_code", "company_number", "aliases__name")
    inlines = (VendorAliasInline, VendorContactInline)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        vendor_refresh_search_names(vendor=form.instance)
