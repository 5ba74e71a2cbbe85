"""The visits app's part of the REST API (loanwatch/api): submitted visits, read-only. The
figures a warehouse compares over time; no evidence files, no interviews (names of people)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from loanwatch.api.base import ReadOnlyListViewSet
from loanwatch.api.filters import ChangedSinceFilterSet, IdFilter

from .models import Visit


def visits_for_api() -> QuerySet[Visit]:
    return Visit.objects.filter(status=Visit.Status.SUBMITTED).select_related("officer")


# The changes feed reports a visit's events once it is submitted; drafts are the officer's own.
SUBMITTED_EVENTS = Q(status=Visit.Status.SUBMITTED)


class VisitSerializer(serializers.ModelSerializer[Visit]):
    officer = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "customer", "officer", "visited_on", "method", "submitted_at", "amends",
                  "address_changed", "business_changed", "employees_total",
                  "employees_on_site", "wages_on_time", "monthly_income", "income_stable",
                  "liquid_funds", "receivables", "payables", "inventory", "revenue_last_year",
                  "revenue_ytd", "revenue_same_period_last_year", "peak_months",
                  "gross_margin_pct", "loan_use", "total_assets", "total_liabilities",
                  "guarantees_given", "high_risk_investment", "repayment_source_kind",
                  "repayment_pressure", "summary"]


class VisitFilter(ChangedSinceFilterSet):
    customer = IdFilter(field_name="customer_id", label=_("customer id"))
    team = IdFilter(field_name="customer__team_id", label=_("team id"))
    officer = IdFilter(field_name="officer_id", label=_("officer id"))
    method = django_filters.ChoiceFilter(choices=Visit.Method.choices)
    visited_from = django_filters.DateFilter(field_name="visited_on", lookup_expr="gte",
                                             label=_("visited on or after this day"))
    visited_to = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte",
                                           label=_("visited on or before this day"))

    class Meta:
        model = Visit
        fields: list[str] = []


class VisitViewSet(ReadOnlyListViewSet):
    """Submitted visits (a correction is a new visit that names the one it `amends`)."""

    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Visit]:
        return visits_for_api()
