from __future__ import annotations

from django.contrib import admin

from .models import Measure


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    """The measures catalogue: admins add, rename, reorder or retire measures here."""

    list_display = ["code", "name_zh", "name_en", "order", "active", "needs_sign_off"]
    list_editable = ["order", "active", "needs_sign_off"]
