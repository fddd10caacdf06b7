from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction

from categories.models import Authority, Category, Pillar, StaffProfile

User = get_user_model()


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    list_display = ("name", "head")
    autocomplete_fields = ("head",)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "pillar", "primary_contract_manager", "cover_contract_manager")
    list_filter = ("pillar",)
    search_fields = ("code", "name")
    autocomplete_fields = (
        "primary_contract_manager",
        "secondary_contract_manager",
        "cover_contract_manager",
        "category_managers",
        "category_officers",
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "pillar" in form.changed_data:
            transaction.on_commit(lambda: _repoint_spend(obj.pk))


def _repoint_spend(category_id: int) -> None:
    from spend.tasks import repoint_category_spend  # the app built on categories

    repoint_category_spend.delay(category_id=category_id)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = (StaffProfileInline,)
    list_display = ("username", "first_name", "last_name", "email", "role")
    list_select_related = ("profile",)
    list_filter = ("profile__role", "is_active")

    @admin.display(ordering="profile__role")
    def role(self, user):
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else "–"
