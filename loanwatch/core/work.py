"""What each role has to do today, for the home pages: each item a count and a short list that
links to the work. Every figure is an aggregate or a short, limited list, so a home page costs
the same number of queries for a book of ten customers or of ten thousand."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, Window
from django.db.models.expressions import RawSQL
from django.utils import timezone

from customers.selectors import customer_scope

SHORT = 5  # items listed under each count
FINDINGS_DAYS = 30
ON_TIME_DAYS = 90
WARNING_DAYS = 90


def _first_rows_and_count(queryset) -> tuple[list, int]:
    """The first SHORT rows and how many rows there are, in one query: the count is a window
    over the whole filtered set, which the database computes before it applies the LIMIT."""
    rows = list(queryset.annotate(row_total=Window(Count("pk")))[:SHORT])
    return rows, rows[0].row_total if rows else 0


def officer_work(*, user) -> dict:
    """The officer's week, drafts, returned reports and recent findings. Each list loads only
    the columns its card shows: building and reading whole customer rows was a quarter of the
    cost of these four queries."""
    from customers.records.models import Finding
    from reports.models import RiskReport
    from visits.models import Visit
    from visits.schedule.models import RevisitTask

    today = timezone.localdate()
    week_end = today + datetime.timedelta(days=7)
    tasks = (RevisitTask.objects.filter(officer=user, status=RevisitTask.Status.OPEN)
             .filter(Q(due_on__lt=week_end) | Q(planned_on__lt=week_end))
             .select_related("customer").only("customer__name", "due_on", "planned_on")
             .order_by("due_on", "pk"))
    drafts = (Visit.objects.filter(officer=user, status=Visit.Status.DRAFT)
              .select_related("customer").only("customer__name", "visited_on")
              .order_by("-visited_on", "-pk"))
    returned = (RiskReport.objects.filter(author=user, status=RiskReport.Status.DRAFT,
                                          decided_by__isnull=False)
                .select_related("customer").only("customer__name", "decision_comment")
                .order_by("-decided_at"))
    findings = (Finding.objects.filter(
        record_check__customer__in=customer_scope(user=user),
        record_check__checked_on__gte=today - datetime.timedelta(days=FINDINGS_DAYS))
        .select_related("record_check__customer")
        .only("kind", "serious", "params", "record_check__customer__name")
        .order_by("-serious", "-record_check__checked_on"))
    week_tasks, week_task_count = _first_rows_and_count(tasks)
    drafts, draft_count = _first_rows_and_count(drafts)
    returned, returned_count = _first_rows_and_count(returned)
    findings, finding_count = _first_rows_and_count(findings)
    return {
        "today": today,
        "week_tasks": week_tasks, "week_task_count": week_task_count,
        "drafts": drafts, "draft_count": draft_count,
        "returned": returned, "returned_count": returned_count,
        "findings": findings, "finding_count": finding_count,
        "findings_days": FINDINGS_DAYS,
    }


RISK_ROSE_SQL = """
SELECT e.pgh_obj_id
FROM (
    SELECT pgh_obj_id, pgh_created_at, risk_group_id,
           LAG(risk_group_id) OVER (PARTITION BY pgh_obj_id ORDER BY pgh_created_at, pgh_id)
             AS previous
    FROM customers_customerevent
    WHERE pgh_obj_id IN ({scope})
) e
JOIN customers_riskgroup now_group ON now_group.id = e.risk_group_id
JOIN customers_riskgroup before_group ON before_group.id = e.previous
WHERE e.pgh_created_at >= %s AND now_group."order" > before_group."order"
GROUP BY e.pgh_obj_id
"""


def _risk_rose_since(*, user, since: datetime.datetime) -> tuple[list, int]:
    """Customers moved to a closer-watched risk group since `since`, from the audit trail: the
    first few (with their group) and how many, in one query."""
    scope = customer_scope(user=user)
    scope_sql, scope_params = scope.values("pk").query.sql_with_params()
    # The text is fixed SQL around the ORM's own scope query; every value is a parameter.
    rose = RawSQL(RISK_ROSE_SQL.format(scope=scope_sql), [*scope_params, since])  # noqa: S611
    return _first_rows_and_count(scope.filter(pk__in=rose).select_related("risk_group")
                                 .order_by("name", "pk"))


def supervisor_work(*, user) -> dict:
    from reports.models import RiskReport, WarningLevel
    from visits.schedule.models import RevisitTask

    today = timezone.localdate()
    scope = customer_scope(user=user)
    # Both officer tables in one grouped query: the open tasks overdue today, and the tasks
    # closed in the last ON_TIME_DAYS with how many of them on time.
    open_, done = RevisitTask.Status.OPEN, RevisitTask.Status.DONE
    closed_since = Q(status=done, closed_at__date__gte=today - datetime.timedelta(
        days=ON_TIME_DAYS))
    by_officer = list(
        RevisitTask.objects.filter(customer__in=scope)
        .filter(Q(status=open_, due_on__lt=today) | closed_since)
        .values("officer__full_name", "officer__username")
        .annotate(n=Count("pk", filter=Q(status=open_)),
                  total=Count("pk", filter=Q(status=done)),
                  on_time=Count("pk", filter=Q(status=done, closed_at__date__lte=F("due_on"))))
        .order_by("officer__username"))
    overdue_by_officer = sorted((row for row in by_officer if row["n"]),
                                key=lambda row: (-row["n"], row["officer__username"]))
    on_time = [row for row in by_officer if row["total"]]
    levels = dict(
        RiskReport.objects.filter(customer__in=scope, status=RiskReport.Status.APPROVED,
                                  decided_at__date__gte=today - datetime.timedelta(
                                      days=WARNING_DAYS))
        .exclude(warning_level=WarningLevel.NONE)
        .values_list("warning_level").annotate(n=Count("pk")).order_by())
    month_start = timezone.make_aware(datetime.datetime.combine(today.replace(day=1),
                                                                datetime.time.min))
    rose_customers, rose_count = _risk_rose_since(user=user, since=month_start)
    for row in on_time:
        row["rate"] = round(100 * row["on_time"] / row["total"], 1) if row["total"] else None
    return {
        "overdue_by_officer": overdue_by_officer,
        "warning_levels": [(level, levels.get(level.value, 0)) for level in WarningLevel
                           if level != WarningLevel.NONE],
        "warning_days": WARNING_DAYS,
        "risk_rose": rose_customers, "risk_rose_count": rose_count,
        "on_time": on_time, "on_time_days": ON_TIME_DAYS,
    }
