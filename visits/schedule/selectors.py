"""Reads of the revisit schedule, always within the user's scope of customers."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.selectors import customer_scope
from loanwatch.accounts.roles import Role
from loanwatch.core.home import first_rows_and_count
from loanwatch.core.keyset import Column, KeysetPage, keyset_page, queryset_fetch
from visits.briefing import BriefingItem
from visits.models import BriefingAnswer

from .models import PlannerRun, RevisitTask, RiskEvent

if TYPE_CHECKING:
    from customers.models import Customer
    from loanwatch.accounts.models import User

# A district is what a Chinese address names up to its first 区 or 县 (after the city).
DISTRICT = re.compile(r"^(.*?[区县])")


def task_scope(*, user: User) -> QuerySet[RevisitTask]:
    if getattr(user, "role", None) == Role.ADMIN:
        # Every task has a customer and an admin sees every customer: no join to all of them.
        return RevisitTask.objects.all()
    return RevisitTask.objects.filter(customer__in=customer_scope(user=user))


def tasks_to_fulfil(*, customer: Customer, keep_id: int | None = None) -> QuerySet[RevisitTask]:
    """The tasks a visit to `customer` may name as fulfilled: the open ones, and the task a draft
    already names (`keep_id`) even if it closed meanwhile."""
    return RevisitTask.objects.filter(Q(status=RevisitTask.Status.OPEN) | Q(pk=keep_id or 0),
                                      customer=customer)


def briefing_items(*, customer: Customer) -> list[BriefingItem]:
    """The open tasks a visit to `customer` must answer, as items of its briefing: each serious
    record-check finding's and each risk event's (a declared event, or a loan the feed found in
    serious arrears). One query."""
    tasks = (RevisitTask.objects.filter(customer_id=customer.pk, status=RevisitTask.Status.OPEN,
                                        reason__in=[RevisitTask.Reason.RECORD_FINDING,
                                                    RevisitTask.Reason.RISK_EVENT])
             .select_related("event").order_by("due_on", "pk"))
    items = []
    for task in tasks:
        if task.reason == RevisitTask.Reason.RECORD_FINDING:
            topic = _("Let them tell how it came about and where it stands now.")
        else:
            topic = _("Hear how it touches them, and what they are doing about it.")
        title = task.event.title if task.event is not None else task.note_text
        items.append(BriefingItem(
            BriefingAnswer.Source.TASK, task.pk,
            f"{task.get_reason_display()}: {title}" if title else task.get_reason_display(),
            str(topic)))
    return items


def task_get_for_user(*, user: User, pk: int) -> RevisitTask:
    task = task_scope(user=user).filter(pk=pk).select_related("customer").first()
    if task is None:
        raise Http404
    return task


def district_of(address: str) -> str:
    match = DISTRICT.match(address or "")
    return match.group(1) if match else ""


@dataclass
class Week:
    starts_on: datetime.date
    tasks: list[RevisitTask] = field(default_factory=list)

    @property
    def ends_on(self) -> datetime.date:
        return self.starts_on + datetime.timedelta(days=6)

    def by_district(self) -> list[tuple[str, list[RevisitTask]]]:
        groups: dict[str, list[RevisitTask]] = {}
        for task in self.tasks:
            groups.setdefault(task.district, []).append(task)
        return sorted(groups.items())


@dataclass
class Plan:
    overdue: list[RevisitTask]
    weeks: list[Week]
    page: KeysetPage
    # Whether this page shows the Overdue heading (a later page only when it holds some).
    shows_overdue: bool = True


# A supervisor's or an administrator's plan is read a page at a time; an officer's own plan
# holds their tasks of the weeks ahead on one page, so that "keep these customers for offline
# use" keeps all of them (it keeps the customers the page links to).
PLAN_PAGE = 100
PLAN_PAGE_OFFICER = 500
PLAN_ORDER = [Column("due_on", kind="date"), Column("pk", kind="int")]


def plan_tasks(*, user: User, today: datetime.date, weeks: int = 8,
               officer_id: int | None = None, overdue_only: bool = False
               ) -> QuerySet[RevisitTask]:
    """The open tasks a plan shows, unordered: in scope, due before the end of the weeks
    ahead (or overdue only), of one officer if chosen."""
    monday = today - datetime.timedelta(days=today.weekday())
    qs = task_scope(user=user).filter(status=RevisitTask.Status.OPEN)
    qs = (qs.filter(due_on__lt=today) if overdue_only
          else qs.filter(due_on__lt=monday + datetime.timedelta(weeks=weeks)))
    return qs.filter(officer_id=officer_id) if officer_id else qs


def plan_for_user(*, user: User, today: datetime.date, query: QueryDict | None = None,
                  weeks: int = 8, officer_id: int | None = None,
                  overdue_only: bool = False) -> Plan:
    """Open tasks in scope by due date, a page at a time (keyset on the due date and the id,
    from the `after` / `before` of `query`); the page's tasks shown overdue first, then week by
    week (Monday to Sunday) for `weeks`. One query whatever the size.

    A plan on one page shows every week ahead, empty ones too; a page of a longer plan shows
    the weeks its tasks fall in.
    """
    monday = today - datetime.timedelta(days=today.weekday())
    qs = plan_tasks(user=user, today=today, weeks=weeks, officer_id=officer_id,
                    overdue_only=overdue_only)
    page = keyset_page(
        fetch=queryset_fetch(qs.select_related("customer", "officer", "event")),
        key_of=lambda task: [task.due_on, task.pk], columns=PLAN_ORDER, order="plan",
        query=query if query is not None else QueryDict(),
        size=PLAN_PAGE_OFFICER if user.role == Role.OFFICER else PLAN_PAGE,
        # The plan shows no total: its weeks count their own tasks.
        count=lambda: (0, False))
    overdue: list[RevisitTask] = []
    by_week: dict[datetime.date, list[RevisitTask]] = {}
    for task in page:
        task.district = district_of(task.customer.address)
        task.is_overdue = task.due_on < today
        if task.is_overdue:
            overdue.append(task)
            continue
        # A planned date places the task in the week the officer chose.
        day = task.planned_on or task.due_on
        start = day - datetime.timedelta(days=day.weekday())
        by_week.setdefault(max(start, monday), []).append(task)
    whole = not page.has_other_pages
    starts = sorted(by_week)
    if whole:
        ahead = [monday + datetime.timedelta(weeks=i) for i in range(weeks)]
        starts = ahead + [start for start in starts if start not in ahead]
    week_list = [Week(starts_on=start, tasks=by_week.get(start, [])) for start in starts]
    return Plan(overdue=overdue, weeks=week_list, page=page,
                shows_overdue=whole or bool(overdue) or not page.has_previous)


def officers_for_user(*, user: User) -> QuerySet[User]:
    """Officers whose plans the user may look at (for the supervisor's and admin's filter)."""
    qs = get_user_model().objects.filter(role=Role.OFFICER, is_active=True)
    if user.role == Role.SUPERVISOR and user.team_id is not None:
        return qs.filter(team_id=user.team_id).order_by("full_name", "username")
    if user.role == Role.ADMIN:
        return qs.order_by("full_name", "username")
    return qs.none()


def events_for_user(*, user: User) -> QuerySet[RiskEvent]:
    """Events a supervisor's team declared, or all for an administrator."""
    qs = RiskEvent.objects.select_related("declared_by", "industry", "circle_of")
    if user.role == Role.ADMIN:
        return qs
    if user.team_id is None:  # a team of none would match every declarer without a team
        return qs.none()
    return qs.filter(declared_by__team_id=user.team_id)


def calendar_tasks(*, user: User) -> QuerySet[RevisitTask]:
    """An officer's open tasks for the calendar feed: their own, whatever the role."""
    return (RevisitTask.objects.filter(officer=user, status=RevisitTask.Status.OPEN)
            .select_related("customer").order_by("due_on", "pk"))


# --- Home cards --------------------------------------------------------------------------------

ON_TIME_DAYS = 90


def revisit_card(*, user: User) -> dict[str, Any]:
    """What is due this week and what is overdue, in one query."""
    today = timezone.localdate()
    week_end = today + datetime.timedelta(days=7)
    # Bounded by the week's end so that the open tasks due later are never read; counting the
    # due date (never empty) rather than the key lets the bank-wide count read the partial
    # index alone.
    figures = task_scope(user=user).filter(status=RevisitTask.Status.OPEN,
                                           due_on__lt=week_end).aggregate(
        overdue=Count("due_on", filter=Q(due_on__lt=today)),
        this_week=Count("due_on", filter=Q(due_on__gte=today)))
    return {"figures": figures}


def week_card(*, user: User) -> dict[str, Any]:
    """The officer's open tasks due or planned before a week from today: the first few and how
    many."""
    today = timezone.localdate()
    week_end = today + datetime.timedelta(days=7)
    tasks = (RevisitTask.objects.filter(officer=user, status=RevisitTask.Status.OPEN)
             .filter(Q(due_on__lt=week_end) | Q(planned_on__lt=week_end))
             .select_related("customer").only("customer__name", "due_on", "planned_on")
             .order_by("due_on", "pk"))
    rows, count = first_rows_and_count(tasks)
    return {"today": today, "week_tasks": rows, "week_task_count": count}


def officers_card(*, user: User) -> dict[str, Any]:
    """Both officer tables in one grouped query: the open tasks overdue today, and the tasks
    closed in the last ON_TIME_DAYS with how many of them on time."""
    today = timezone.localdate()
    open_, done = RevisitTask.Status.OPEN, RevisitTask.Status.DONE
    closed_since = Q(status=done, closed_at__date__gte=today - datetime.timedelta(
        days=ON_TIME_DAYS))
    by_officer = list(
        RevisitTask.objects.filter(customer__in=customer_scope(user=user))
        .filter(Q(status=open_, due_on__lt=today) | closed_since)
        .values("officer__full_name", "officer__username")
        .annotate(n=Count("pk", filter=Q(status=open_)),
                  total=Count("pk", filter=Q(status=done)),
                  on_time=Count("pk", filter=Q(status=done, closed_at__date__lte=F("due_on"))))
        .order_by("officer__username"))
    overdue_by_officer = sorted((row for row in by_officer if row["n"]),
                                key=lambda row: (-row["n"], row["officer__username"]))
    on_time = [row for row in by_officer if row["total"]]
    for row in on_time:
        row["rate"] = round(100 * row["on_time"] / row["total"], 1)
    return {"overdue_by_officer": overdue_by_officer, "on_time": on_time,
            "on_time_days": ON_TIME_DAYS}


def planner_run_card(*, user: User) -> dict[str, Any]:
    return {"last_planner_run": PlannerRun.objects.order_by("-started_at").first()}
