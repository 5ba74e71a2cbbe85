"""The reports app's part of the REST API (loanwatch/api): risk reports past their draft, and
the warnings — approved reports that issued or released a customer's standing warning."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from customers.models import WarningLevel
from loanwatch.api.base import ReadOnlyListViewSet
from loanwatch.api.filters import ChangedSinceFilterSet, IdFilter

from .models import RiskReport


def reports_for_api() -> QuerySet[RiskReport]:
    return RiskReport.objects.exclude(status=RiskReport.Status.DRAFT).select_related(
        "author", "decided_by", "proposed_risk_group")


# A draft is its author's; the changes feed reports a report's events from its submission on.
SENT_EVENTS = ~Q(status=RiskReport.Status.DRAFT)

WARNING_REPORTS = Q(status=RiskReport.Status.APPROVED) & (
    ~Q(warning_level=WarningLevel.NONE) | Q(kind=RiskReport.Kind.RELEASE))


def warnings_for_api() -> QuerySet[RiskReport]:
    return RiskReport.objects.filter(WARNING_REPORTS).select_related("decided_by")


class ReportSerializer(serializers.ModelSerializer[RiskReport]):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    proposed_risk_group = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = RiskReport
        fields = ["id", "customer", "kind", "visit", "author", "status", "warning_level",
                  "proposed_risk_group", "assessment", "created_at", "submitted_at",
                  "decided_at", "decided_by"]


class WarningSerializer(serializers.ModelSerializer[RiskReport]):
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    issued = serializers.SerializerMethodField()

    class Meta:
        model = RiskReport
        fields = ["id", "customer", "kind", "warning_level", "issued", "decided_at",
                  "decided_by"]

    def get_issued(self, report: RiskReport) -> bool:
        """True: the report set the warning; false: it released the customer's warning."""
        return report.kind != RiskReport.Kind.RELEASE


class ReportFilter(ChangedSinceFilterSet):
    customer = IdFilter(field_name="customer_id", label=_("customer id"))
    team = IdFilter(field_name="customer__team_id", label=_("team id"))
    officer = IdFilter(field_name="author_id", label=_("author id"))
    status = django_filters.ChoiceFilter(choices=RiskReport.Status.choices)
    kind = django_filters.ChoiceFilter(choices=RiskReport.Kind.choices)
    warning_level = django_filters.ChoiceFilter(choices=WarningLevel.choices)
    decided_since = django_filters.IsoDateTimeFilter(field_name="decided_at", lookup_expr="gte",
                                                     label=_("decided at or after this time"))

    class Meta:
        model = RiskReport
        fields: list[str] = []


class ReportViewSet(ReadOnlyListViewSet):
    """Risk reports sent for a decision, awaiting one or decided."""

    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[RiskReport]:
        return reports_for_api()


class WarningViewSet(ReadOnlyListViewSet):
    """Warnings issued (an approved report with a level) and released (an approved release)."""

    serializer_class = WarningSerializer
    filterset_class = ReportFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[RiskReport]:
        return warnings_for_api()
