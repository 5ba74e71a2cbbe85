from __future__ import annotations

from django.contrib import admin

from .models import Finding, RecordCheck, RecordEntry, RelatedFinding


class _ReadOnly(admin.ModelAdmin):
    """Checks are recorded through the app (which compares and raises signals); staff read."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RecordCheck)
class RecordCheckAdmin(_ReadOnly):
    list_display = ("customer", "person", "checked_on", "source", "licence_status")
    list_select_related = ("customer", "person")


admin.site.register(RecordEntry, _ReadOnly)
admin.site.register(Finding, _ReadOnly)


@admin.register(RelatedFinding)
class RelatedFindingAdmin(_ReadOnly):
    list_display = ("customer", "party_name", "roles", "loans", "direct", "raised_at")
    list_select_related = ("customer",)
