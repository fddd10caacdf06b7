"""Admin pieces shared by the apps."""

from django.contrib import admin


class RelatedInline(admin.TabularInline):
    """An inline that loads the rows' related objects with them (`related`), instead of one
    query a row for each (their __str__ and read-only fields name them)."""

    related: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.related)
