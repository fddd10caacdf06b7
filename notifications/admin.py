from django.contrib import admin

from notifications.models import Follow, Notification, Preference, ReminderSettings


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    """The reminder lead times: a hub administrator changes them here, without code."""

    list_display = ("__str__", "expiry_days", "extension_days", "kpi_before_days", "updated_at")

    def has_add_permission(self, request):
        return not ReminderSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        super().save_model(request, obj, form, change)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "kind", "threshold", "email_state", "attempts", "sent_at")
    list_filter = ("kind", "email_state")
    # Newest first by id (the order of creation) and no other sort: the table grows with every
    # reminder, and only the inbox index serves created_at.
    ordering = ("-id",)
    sortable_by = ()
    show_full_result_count = False
    search_fields = ("title", "contract__reference", "recipient__username")
    raw_id_fields = ("recipient", "contract")
    readonly_fields = ("created_at", "claim")
    list_select_related = ("recipient",)


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("user", "contract", "created_at")
    sortable_by = ()
    raw_id_fields = ("user", "contract")
    list_select_related = ("user", "contract")


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "delivery")
    raw_id_fields = ("user",)
    exclude = ("calendar_token",)
