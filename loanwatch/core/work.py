"""What each role has to do today, for the home pages: each item a count and a short list that
links to the work. Every figure is an aggregate or a short, limited list, so a home page costs
the same number of queries for a book of ten customers or of ten thousand."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone

from customers.selectors import customer_scope

SHORT = 5  # items listed under each count
FINDINGS_DAYS = 30
ON_TIME_DAYS = 90
WARNING_DAYS = 90


def officer_work(*, user) -> dict:
    from customers.records.models import Finding
    from reports.models import RiskReport
    from visits.models import Visit
    from visits.schedule.models import RevisitTask

    today = timezone.localdate()
    week_end = today + datetime.timedelta(days=7)
    tasks = (RevisitTask.objects.filter(officer=user, status=RevisitTask.Status.OPEN)
             .filter(Q(due_on__lt=week_end) | Q(planned_on__lt=week_end))
             .select_related("customer").order_by("due_on", "pk"))
    drafts = (Visit.objects.filter(officer=user, status=Visit.Status.DRAFT)
              .select_related("customer").order_by("-visited_on", "-pk"))
    returned = (RiskReport.objects.filter(author=user, status=RiskReport.Status.DRAFT,
                                          decided_by__isnull=False)
                .select_related("customer").order_by("-decided_at"))
    findings = (Finding.objects.filter(
        record_check__customer__in=customer_scope(user=user),
        record_check__checked_on__gte=today - datetime.timedelta(days=FINDINGS_DAYS))
        .select_related("record_check__customer").order_by("-serious", "-record_check__checked_on"))
    return {
        "today": today,
        "week_tasks": list(tasks[:SHORT]), "week_task_count": tasks.count(),
        "drafts": list(drafts[:SHORT]), "draft_count": drafts.count(),
        "returned": list(returned[:SHORT]), "returned_count": returned.count(),
        "findings": list(findings[:SHORT]), "finding_count": findings.count(),
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


def _risk_rose_since(*, user, since: datetime.datetime) -> list[int]:
    """Customers moved to a closer-watched risk group since `since`, from the audit trail."""
    scope_sql, scope_params = customer_scope(user=user).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(RISK_ROSE_SQL.format(scope=scope_sql), [*scope_params, since])
        return [row[0] for row in cursor.fetchall()]


def supervisor_work(*, user) -> dict:
    from reports.models import RiskReport, WarningLevel
    from visits.schedule.models import RevisitTask

    today = timezone.localdate()
    scope = customer_scope(user=user)
    overdue_by_officer = list(
        RevisitTask.objects.filter(customer__in=scope, status=RevisitTask.Status.OPEN,
                                   due_on__lt=today)
        .values("officer__full_name", "officer__username").annotate(n=Count("pk"))
        .order_by("-n", "officer__username"))
    levels = dict(
        RiskReport.objects.filter(customer__in=scope, status=RiskReport.Status.APPROVED,
                                  decided_at__date__gte=today - datetime.timedelta(
                                      days=WARNING_DAYS))
        .exclude(warning_level=WarningLevel.NONE)
        .values_list("warning_level").annotate(n=Count("pk")).order_by())
    month_start = timezone.make_aware(datetime.datetime.combine(today.replace(day=1),
                                                                datetime.time.min))
    rose = _risk_rose_since(user=user, since=month_start)
    rose_customers = list(scope.filter(pk__in=rose[:SHORT]).select_related("risk_group"))
    on_time = list(
        RevisitTask.objects.filter(customer__in=scope, status=RevisitTask.Status.DONE,
                                   closed_at__date__gte=today - datetime.timedelta(
                                       days=ON_TIME_DAYS))
        .values("officer__full_name", "officer__username")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(
            closed_at__date__lte=F("due_on"))))
        .order_by("officer__username"))
    for row in on_time:
        row["rate"] = round(100 * row["on_time"] / row["total"], 1) if row["total"] else None
    return {
        "overdue_by_officer": overdue_by_officer,
        "warning_levels": [(level, levels.get(level.value, 0)) for level in WarningLevel
                           if level != WarningLevel.NONE],
        "warning_days": WARNING_DAYS,
        "risk_rose": rose_customers, "risk_rose_count": len(rose),
        "on_time": on_time, "on_time_days": ON_TIME_DAYS,
    }
