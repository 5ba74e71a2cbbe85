from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Team, User


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "team", "is_active"]
    list_filter = ["team", "groups", "is_active"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("LoanWatch"), {"fields": ("full_name", "team", "phone")}),
    )
