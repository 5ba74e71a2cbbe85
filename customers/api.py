"""The customers app's part of the REST API (loanwatch/api): customers, loans and risk signals,
read-only, for the whole bank. Only what the bank's warehouse needs: no phone, WeChat or
address, no related persons."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from loanwatch.api.base import ReadOnlyListViewSet
from loanwatch.api.filters import ChangedSinceFilterSet, IdFilter

from .models import Classification, Customer, Loan, LoanStatus, RiskSignal, WarningLevel

# --- Customers --------------------------------------------------------------------------------


def customers_for_api() -> QuerySet[Customer]:
    return Customer.objects.select_related("team", "officer", "industry", "risk_group")


class CustomerSerializer(serializers.ModelSerializer[Customer]):
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    team = serializers.SlugRelatedField(slug_field="code", read_only=True)
    officer = serializers.SlugRelatedField(slug_field="username", read_only=True)
    risk_group = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Customer
        fields = ["id", "kind", "name", "identifier", "industry", "team", "officer",
                  "risk_group", "status", "warning_level", "warning_since", "created_at"]


class CustomerFilter(ChangedSinceFilterSet):
    team = IdFilter(field_name="team_id", label=_("team id"))
    officer = IdFilter(field_name="officer_id", label=_("officer id"))
    status = django_filters.ChoiceFilter(choices=Customer.Status.choices)
    warning_level = django_filters.ChoiceFilter(choices=WarningLevel.choices)

    class Meta:
        model = Customer
        fields: list[str] = []


class CustomerViewSet(ReadOnlyListViewSet):
    """The bank's customers, by id."""

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Customer]:
        return customers_for_api()


# --- Loans ------------------------------------------------------------------------------------


def loans_for_api() -> QuerySet[Loan]:
    return Loan.objects.all()


class LoanSerializer(serializers.ModelSerializer[Loan]):
    class Meta:
        model = Loan
        fields = ["id", "customer", "contract_number", "amount", "balance", "disbursed_on",
                  "matures_on", "repayment_method", "days_past_due", "classification",
                  "principal_overdue", "interest_overdue", "next_due_on", "status",
                  "last_feed_as_of"]


class LoanFilter(ChangedSinceFilterSet):
    customer = IdFilter(field_name="customer_id", label=_("customer id"))
    team = IdFilter(field_name="customer__team_id", label=_("team id"))
    officer = IdFilter(field_name="customer__officer_id", label=_("officer id"))
    status = django_filters.ChoiceFilter(choices=LoanStatus.choices)
    classification = django_filters.ChoiceFilter(choices=Classification.choices)

    class Meta:
        model = Loan
        fields: list[str] = []


class LoanViewSet(ReadOnlyListViewSet):
    """Every loan, with the figures the loan-status feed keeps current."""

    serializer_class = LoanSerializer
    filterset_class = LoanFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Loan]:
        return loans_for_api()


# --- Risk signals -----------------------------------------------------------------------------


def signals_for_api() -> QuerySet[RiskSignal]:
    return RiskSignal.objects.all()


class SignalSerializer(serializers.ModelSerializer[RiskSignal]):
    class Meta:
        model = RiskSignal
        fields = ["id", "customer", "source", "rule", "severity", "params", "raised_at",
                  "status", "status_at", "report_id"]


class SignalFilter(ChangedSinceFilterSet):
    customer = IdFilter(field_name="customer_id", label=_("customer id"))
    team = IdFilter(field_name="customer__team_id", label=_("team id"))
    officer = IdFilter(field_name="customer__officer_id", label=_("officer id"))
    status = django_filters.ChoiceFilter(choices=RiskSignal.Status.choices)
    severity = django_filters.ChoiceFilter(choices=RiskSignal.Severity.choices)
    raised_since = django_filters.IsoDateTimeFilter(field_name="raised_at", lookup_expr="gte",
                                                    label=_("raised at or after this time"))

    class Meta:
        model = RiskSignal
        fields: list[str] = []


class SignalViewSet(ReadOnlyListViewSet):
    """Risk signals: what the feed, visits, record checks and officers raised, and their state."""

    serializer_class = SignalSerializer
    filterset_class = SignalFilter
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Any]:
        return signals_for_api()
