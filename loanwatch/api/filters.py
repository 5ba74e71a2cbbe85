"""Filters every list of the API shares: ids checked before they reach a query, and "changed
since" read from the model's audit trail (its pghistory event table)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from loanwatch.core.forms import IdField

from .routes import event_model


class IdFilter(django_filters.NumberFilter):
    """A row's id: a number outside the column's range is a 400, never a database error."""

    field_class = IdField


class ChangedSinceFilterSet(django_filters.FilterSet):
    changed_since = django_filters.IsoDateTimeFilter(
        method="filter_changed_since",
        label=_("created or changed at or after this time (ISO 8601, with its offset)"))

    def filter_changed_since(self, queryset: QuerySet[Any], name: str,
                             value: datetime) -> QuerySet[Any]:
        events = event_model(queryset.model).objects.filter(pgh_created_at__gte=value)
        return queryset.filter(pk__in=events.values("pgh_obj_id"))
