"""Django's admin for staff troubleshooting; day-to-day work happens in the app's own pages."""

from __future__ import annotations

from django.contrib import admin

from .models import ClassificationFloor, Customer, Industry, Loan, RiskGroup
from .risk_state import FEED_LOAN_FIELDS, OWNED_LOAN_FIELDS


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "high_risk"]

    def get_readonly_fields(self, request, obj=None):
        # Once customers hang on it, the flag changes their revisit intervals: the industry
        # page's service re-plans them.
        return ["high_risk"] if obj is not None else []


@admin.register(RiskGroup)
class RiskGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "order", "default_interval_days"]


@admin.register(ClassificationFloor)
class ClassificationFloorAdmin(admin.ModelAdmin):
    list_display = ["days_past_due_over", "minimum"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "identifier", "officer", "team", "risk_group", "status"]
    list_select_related = ["officer", "team", "risk_group"]
    search_fields = ["name", "identifier"]
    readonly_fields = ["officer", "team"]  # reassignment goes through the service (recorded)

    def get_readonly_fields(self, request, obj=None):
        # The risk group and the standing warning move only through approved reports and
        # administrators' corrections (risk_state.py), each with its history row.
        owned = ["risk_group", "warning_level", "warning_since"]
        return [*self.readonly_fields, *owned] if obj is not None else self.readonly_fields


@admin.register(Loan)
class LoanAdmin(admin.ModelAdmin):
    list_display = ["contract_number", "customer", "balance", "days_past_due", "classification"]
    list_select_related = ["customer"]
    search_fields = ["contract_number"]
    raw_id_fields = ["customer"]

    def get_readonly_fields(self, request, obj=None):
        # The figures the bank's systems own: opened here, then changed by risk_state.py only.
        return [*OWNED_LOAN_FIELDS, *FEED_LOAN_FIELDS] if obj is not None else [
            *FEED_LOAN_FIELDS]
