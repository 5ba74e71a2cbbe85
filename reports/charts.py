"""Warnings by level over time (contributed in hooks.py): approved
reports per month of decision, by warning level, for the user's customers."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from customers.models import WARNING_COLOURS
from customers.selectors import customer_scope
from loanwatch.core.charts import ChartData, Series, month_label

from .models import RiskReport, WarningLevel

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

MONTHS = 12


def _months(today: datetime.date) -> list[datetime.date]:
    first = today.replace(day=1)
    months = []
    for _ in range(MONTHS):
        months.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


def warnings_by_month(*, user: User, params) -> ChartData:
    months = _months(timezone.localdate())
    since = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time.min))
    rows = (RiskReport.objects.filter(customer__in=customer_scope(user=user),
                                      status=RiskReport.Status.APPROVED, decided_at__gte=since)
            .annotate(month=TruncMonth("decided_at", tzinfo=timezone.get_current_timezone()))
            .values("month", "warning_level").annotate(n=Count("pk")).order_by())
    counts = {(row["month"].date() if hasattr(row["month"], "date") else row["month"],
               row["warning_level"]): row["n"] for row in rows}
    levels = [level for level in WarningLevel if level != WarningLevel.NONE]
    return ChartData(labels=[month_label(m) for m in months], series=[
        Series(label=str(level.label), values=[counts.get((m, level.value), 0) for m in months],
               colour=WARNING_COLOURS[level.value])
        for level in levels])
