"""Django's admin for staff troubleshooting; officers and administrators work in the app's pages.
Visits are read-only here: a submitted visit is corrected by an amendment, never in place."""

from __future__ import annotations

from django.contrib import admin

from .models import EvidenceFile, GuidanceProposal, QuestionGuidance, SignalThreshold, Visit


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["customer", "visited_on", "method", "officer", "status"]
    list_filter = ["status", "method"]
    search_fields = ["customer__name"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EvidenceFile)
class EvidenceFileAdmin(admin.ModelAdmin):
    list_display = ["original_name", "kind", "visit", "size", "sha256", "uploaded_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SignalThreshold)
class SignalThresholdAdmin(admin.ModelAdmin):
    list_display = ["rule", "threshold", "enabled"]


@admin.register(QuestionGuidance)
class QuestionGuidanceAdmin(admin.ModelAdmin):
    list_display = ["question", "whom_zh", "whom_en"]


@admin.register(GuidanceProposal)
class GuidanceProposalAdmin(admin.ModelAdmin):
    list_display = ["question", "language", "proposed_by", "status"]
