"""Revisit discipline (contributed in hooks.py): the on-time visit
rate by month and by officer, and the overdue tasks at the end of each week."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.selectors import customer_scope
from loanwatch.core.charts import ChartData, Series, categorical, day_label, month_label

from .models import RevisitTask

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

MONTHS = 12
WEEKS = 26


def _rate(on_time: int, total: int) -> float | None:
    return round(100 * on_time / total, 1) if total else None


def _done_tasks(user: User):
    """Tasks a visit closed, in the user's scope: the ones an on-time rate is about."""
    return RevisitTask.objects.filter(customer__in=customer_scope(user=user),
                                      status=RevisitTask.Status.DONE, closed_at__isnull=False)


def on_time_by_month(*, user: User, params) -> ChartData:
    today = timezone.localdate()
    start = (today.replace(day=1) - datetime.timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    rows = (_done_tasks(user).filter(closed_at__date__gte=start)
            .annotate(month=TruncMonth("closed_at", tzinfo=timezone.get_current_timezone()))
            .values("month").order_by("month")
            .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(
                closed_at__date__lte=F("due_on")))))
    labels, rates, totals = [], [], []
    for row in rows:
        labels.append(month_label(row["month"]))
        rates.append(_rate(row["on_time"], row["total"]))
        totals.append(row["total"])
    return ChartData(labels=labels, series=[
        Series(label=_("visited by the due date (%)"), values=rates),
        Series(label=_("tasks closed by a visit"), values=totals)])


def on_time_by_officer(*, user: User, params) -> ChartData:
    since = timezone.localdate() - datetime.timedelta(days=90)
    rows = (_done_tasks(user).filter(closed_at__date__gte=since)
            .values("officer__full_name", "officer__username").order_by("officer__username")
            .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(
                closed_at__date__lte=F("due_on")))))
    return ChartData(
        labels=[row["officer__full_name"] or row["officer__username"] for row in rows],
        label_colours=categorical(len(rows)),
        series=[Series(label=_("visited by the due date (%)"),
                       values=[_rate(row["on_time"], row["total"]) for row in rows]),
                Series(label=_("tasks closed by a visit"), values=[row["total"] for row in rows])],
        note=_("The last 90 days."))


# A task was overdue at the end of a week when it fell due before then and was still open: not
# closed yet, or closed after that day.
OVERDUE_SQL = """
WITH weeks AS (
    SELECT generate_series(%s::date, %s::date, interval '7 days')::date AS day
)
SELECT w.day, COUNT(t.id)
FROM weeks w
LEFT JOIN schedule_revisittask t
  ON t.customer_id IN ({scope})
 AND t.due_on < w.day
 AND t.created_at::date <= w.day
 AND (t.closed_at IS NULL OR t.closed_at::date > w.day)
 AND NOT (t.status = 'cancelled' AND t.closed_at IS NULL)
GROUP BY w.day ORDER BY w.day
"""


def overdue_by_week(*, user: User, params) -> ChartData:
    today = timezone.localdate()
    last = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=6)
    first = last - datetime.timedelta(weeks=WEEKS - 1)
    scope_sql, scope_params = customer_scope(user=user).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(OVERDUE_SQL.format(scope=scope_sql), [first, last, *scope_params])
        rows = cursor.fetchall()
    return ChartData(labels=[day_label(day) for day, _n in rows],
                     series=[Series(label=_("overdue tasks"), values=[n for _d, n in rows])],
                     note=_("Counted at the end of each week."))
