"""Write services for revisit tasks, called by other apps.

Risk events raise tasks with `task_raise`. The schedule listens (visits/schedule/hooks.py) to a
submitted visit (`visit_submitted`: the tasks it fulfils close) and to a serious record-check
finding (`serious_finding_recorded`: a task to visit it), so neither visits nor record checks
import the schedule.
"""

from __future__ import annotations

import datetime
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from customers.models import Customer, RiskSignal
from customers.selectors import customer_scope, guarantee_circle_ids
from loanwatch.accounts.roles import Role
from loanwatch.core.services import notification_create
from visits.models import ON_SITE_METHODS, REMOTE_METHODS, BriefingAnswer, Visit, VisitLoanUse

from . import digest
from .models import (
    CalendarFeed,
    CustomerKind,
    DigestSent,
    RevisitPolicy,
    RevisitTask,
    RiskEvent,
    ScheduleSettings,
)
from .planner import plan

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from customers.models import RiskGroup
    from loanwatch.accounts.models import User

    from .planner import PlanResult


def task_raise(*, customer: Customer, reason: str, due_on: datetime.date, note: str = "",
               source_key: str = "", note_kind: str = "",
               note_params: dict[str, Any] | None = None) -> tuple[RevisitTask, bool]:
    """Open a task for `customer` unless `source_key` already raised one; (task, created).

    Safe under concurrency: the unique constraint on (customer, source_key) decides, and the
    loser of a race reads the winner's row.
    """
    task = RevisitTask(customer=customer, officer_id=customer.officer_id, reason=reason,
                       note=note[:300], source_key=source_key, due_on=due_on,
                       note_kind=note_kind, note_params=note_params or {})
    if not source_key:
        task.save()
        return task, True
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        # Raised before, or by a concurrent call that committed first: use that task.
        return RevisitTask.objects.get(customer=customer, source_key=source_key), False
    return task, True


def serious_finding_recorded(*, customer: Customer, due_on: datetime.date, note: str,
                             source_key: str, note_kind: str = "",
                             note_params: dict[str, Any] | None = None) -> None:
    """A record check found something serious about `customer`: visit by `due_on`, once per
    finding (`source_key`), however often the check is recorded."""
    task_raise(customer=customer, reason=RevisitTask.Reason.RECORD_FINDING, due_on=due_on,
               note=note, source_key=source_key, note_kind=note_kind, note_params=note_params)


# Days an officer has to visit a customer whose loan the feed found seriously in arrears.
LOAN_ARREARS_TASK_DAYS = 7


def loan_arrears_signalled(*, signal_ids: list[int]) -> None:
    """The loan feed raised signals (customers/feed): each serious one asks for a visit within
    a week, once per signal. One read and one insert for the whole run, however many loans;
    the note is in the bank's language."""
    due_on = timezone.localdate() + datetime.timedelta(days=LOAN_ARREARS_TASK_DAYS)
    signals = (RiskSignal.objects.filter(pk__in=signal_ids,
                                         severity=RiskSignal.Severity.SERIOUS)
               .select_related("customer").order_by("pk"))
    with translation.override(settings.LANGUAGE_CODE):
        tasks = [RevisitTask(customer_id=signal.customer_id, officer_id=signal.customer.officer_id,
                             reason=RevisitTask.Reason.RISK_EVENT, note=signal.message[:300],
                             source_key=f"signal:{signal.pk}", due_on=due_on)
                 for signal in signals]
    RevisitTask.objects.bulk_create(tasks, ignore_conflicts=True)


def visit_qualifies(*, visit: Visit) -> bool:
    """Whether a submitted visit counts for the schedule: on-site always; phone or video where
    the policy for the customer's risk group and kind says so; third-party inquiries and social
    media never."""
    if visit.method in ON_SITE_METHODS:
        return True
    if visit.method not in REMOTE_METHODS:
        return False
    customer = visit.customer
    return RevisitPolicy.objects.filter(risk_group_id=customer.risk_group_id,
                                        customer_kind=customer.kind,
                                        remote_counts=True).exists()


def customer_risk_changed(*, customer_ids: list[int]) -> None:
    """A customer's risk group or its industry's high-risk flag changed: the interval follows,
    so its open periodic task moves in the same transaction as the change."""
    plan(customer_ids=customer_ids)


def customer_reassigned(*, customer_ids: list[int]) -> None:
    """The open tasks of reassigned customers go to their new officer, in the same
    transaction as the move."""
    plan(customer_ids=customer_ids)


def _first_check_loan_id(task: RevisitTask) -> int | None:
    prefix = "first_check:loan:"
    if task.source_key.startswith(prefix) and task.source_key[len(prefix):].isdigit():
        return int(task.source_key[len(prefix):])
    return None


def visit_submitted(*, visit: Visit) -> list[RevisitTask]:
    """Close the open tasks a submitted visit fulfils and plan the customer's next visit.

    Called inside the submit transaction. Each task closes on its own terms, whether or not the
    visit names it: the periodic task when the visit qualifies (visit_qualifies); a loan's first
    check when the visit answered that loan's use of funds; a serious finding's or a risk
    event's task when the visit answered its briefing item; any other task (a red warning's, one
    raised by hand) when the visit qualifies and was made after the task was raised, or when the
    visit names it. The planner then sets the next periodic task from this visit.
    """
    now = timezone.now()
    qualifies = visit_qualifies(visit=visit)
    answered_tasks = {a.source_id for a in BriefingAnswer.objects.filter(
        visit_id=visit.pk, source=BriefingAnswer.Source.TASK) if a.is_answered}
    answered_loans = set(VisitLoanUse.objects.filter(visit_id=visit.pk).exclude(use="")
                         .values_list("loan_id", flat=True))
    closed = []
    for task in (RevisitTask.objects.select_for_update()
                 .filter(customer_id=visit.customer_id, status=RevisitTask.Status.OPEN)
                 .order_by("pk")):
        if task.reason == RevisitTask.Reason.PERIODIC:
            done = qualifies
        elif task.reason == RevisitTask.Reason.FIRST_CHECK:
            done = _first_check_loan_id(task) in answered_loans
        elif task.reason in ANSWERED_BY_BRIEFING:
            done = task.pk in answered_tasks
        else:
            done = task.pk == visit.task_id or (
                qualifies and task.created_at.date() <= visit.visited_on)
        if done:
            task.status = RevisitTask.Status.DONE
            task.closed_at = now
            task.closed_by_id = visit.pk
            task.save(update_fields=["status", "closed_at", "closed_by"])
            closed.append(task)
    plan(customer_ids=[visit.customer_id])
    return closed


# The tasks that close only when a visit answers their briefing item.
ANSWERED_BY_BRIEFING = (RevisitTask.Reason.RECORD_FINDING, RevisitTask.Reason.RISK_EVENT)


def visit_schedule_note(*, visit: Visit) -> tuple[bool, str]:
    """What a submitted visit or contact did to the schedule, said plainly: whether it counts
    as the customer's revisit (and if not, why, and when the task is due), and which task it
    named stays open. (counts, the sentences)."""
    customer = visit.customer
    open_tasks = list(RevisitTask.objects.filter(customer_id=customer.pk,
                                                 status=RevisitTask.Status.OPEN)
                      .order_by("due_on", "pk"))
    periodic = next((t for t in open_tasks if t.reason == RevisitTask.Reason.PERIODIC), None)
    sentences = []
    counts = visit_qualifies(visit=visit)
    if counts:
        sentences.append(
            _("This counts as the revisit for %(customer)s; the next one is due %(due)s.")
            % {"customer": customer.name, "due": date_format(periodic.due_on)}
            if periodic else
            _("This counts as the revisit for %(customer)s.") % {"customer": customer.name})
    else:
        remote = RevisitPolicy.objects.filter(risk_group_id=customer.risk_group_id,
                                              customer_kind=customer.kind,
                                              remote_counts=True).exists()
        needs = (_("an on-site visit, or a phone or video call") if remote
                 else _("an on-site visit"))
        what = (_("This contact") if visit.kind == Visit.Kind.CONTACT else _("This visit"))
        group = str(customer.risk_group) if customer.risk_group_id else ""
        if periodic:
            sentences.append(
                _("%(what)s does not count as the revisit for %(customer)s: the policy for "
                  "%(group)s needs %(needs)s; the task stays open (due %(due)s).")
                % {"what": what, "customer": customer.name, "group": group, "needs": needs,
                   "due": date_format(periodic.due_on)})
        else:
            sentences.append(
                _("%(what)s does not count as the revisit for %(customer)s: the policy for "
                  "%(group)s needs %(needs)s.")
                % {"what": what, "customer": customer.name, "group": group, "needs": needs})
    named = next((t for t in open_tasks if t.pk == visit.task_id), None)
    if named is not None and named.reason != RevisitTask.Reason.PERIODIC:
        sentences.append(_("The task “%(task)s” stays open (due %(due)s).")
                         % {"task": named.get_reason_display(),
                            "due": date_format(named.due_on)})
    return counts, " ".join(str(s) for s in sentences)


# --- Reminders and escalation ------------------------------------------------------------------

def _claim(queryset: QuerySet[RevisitTask], field: str,
           now: datetime.datetime) -> dict[int, list[int]]:
    """Mark the rows of `queryset` as notified (`field` = now) and return their ids by officer.

    Rows another worker holds are skipped, and the conditional UPDATE only touches rows still
    unmarked: of two concurrent senders each task goes to one, and never twice.
    """
    ids = list(queryset.select_for_update(skip_locked=True).values_list("pk", flat=True))
    by_officer: dict[int, list[int]] = {}
    if not ids:
        return by_officer
    RevisitTask.objects.filter(pk__in=ids, **{f"{field}__isnull": True}).update(**{field: now})
    for pk, officer_id in RevisitTask.objects.filter(pk__in=ids).values_list("pk", "officer_id"):
        by_officer.setdefault(officer_id, []).append(pk)
    return by_officer


@transaction.atomic
def reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """Tell officers, once per task, that a visit is due soon, and once more when it is overdue.

    A task whose due date the planner moves is reminded again (the planner clears the marks).
    One notification per officer and kind, with the number of tasks, rather than one per task.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    horizon = today + datetime.timedelta(days=ScheduleSettings.load().reminder_days_before)
    open_tasks = RevisitTask.objects.filter(status=RevisitTask.Status.OPEN)
    soon = _claim(open_tasks.filter(reminded_at__isnull=True, due_on__gte=today,
                                    due_on__lte=horizon), "reminded_at", now)
    late = _claim(open_tasks.filter(overdue_notified_at__isnull=True, due_on__lt=today),
                  "overdue_notified_at", now)
    users = get_user_model().objects.in_bulk(set(soon) | set(late))
    url = reverse("schedule:plan")
    for officer_id, ids in soon.items():
        notification_create(recipient=users[officer_id], kind="schedule.due_soon",
                            params={"n": len(ids), "date": horizon.isoformat()}, url=url)
    for officer_id, ids in late.items():
        notification_create(recipient=users[officer_id], kind="schedule.overdue",
                            params={"n": len(ids)}, url=url)
    return {"due_soon": sum(map(len, soon.values())), "overdue": sum(map(len, late.values()))}


@transaction.atomic
def overdue_digest_send(*, today: datetime.date | None = None) -> int:
    """Each supervisor hears once a day how many of their team's tasks are overdue, and how
    many of the team's other overdue items each `digest_sections` contribution counts (one
    notification a line). Returns how many supervisors were told."""
    today = today or timezone.localdate()
    tasks = dict(RevisitTask.objects.filter(status=RevisitTask.Status.OPEN, due_on__lt=today,
                                            customer__team__isnull=False)
                 .values_list("customer__team_id").annotate(n=Count("pk")).order_by())
    lines = [("schedule.digest", reverse("schedule:plan") + "?overdue=1", tasks)]
    lines += [(section.kind, reverse(section.url_name), counts)
              for section, counts in digest.counts_by_section(today=today)]
    teams = {team for _kind, _url, counts in lines for team, n in counts.items() if n}
    supervisors = get_user_model().objects.filter(role=Role.SUPERVISOR, is_active=True,
                                                  team_id__in=teams).order_by("pk")
    sent = 0
    for supervisor in supervisors:
        _row, created = DigestSent.objects.get_or_create(recipient=supervisor, sent_on=today)
        if not created:
            continue
        for kind, url, counts in lines:
            if counts.get(supervisor.team_id):
                notification_create(recipient=supervisor, kind=kind,
                                    params={"n": counts[supervisor.team_id]}, url=url)
        sent += 1
    return sent


# --- Policy and risk groups --------------------------------------------------------------------

@transaction.atomic
def policy_save(*, cells: dict[tuple[int, str], tuple[int, bool]], cap_days: int | None,
                first_check_days: int, reminder_days_before: int, risk_event_due_days: int,
                acting_user: User) -> PlanResult:
    """Save the whole grid and the bank-wide numbers, and re-plan every customer at once (the
    change may move any of them; one set-based run is cheaper than working out which)."""
    for (group_id, kind), (days, remote) in cells.items():
        RevisitPolicy.objects.update_or_create(
            risk_group_id=group_id, customer_kind=kind,
            defaults={"interval_days": days, "remote_counts": remote})
    rules = ScheduleSettings.objects.select_for_update().get_or_create(pk=1)[0]
    rules.high_risk_industry_cap_days = cap_days
    rules.first_check_days = first_check_days
    rules.reminder_days_before = reminder_days_before
    rules.risk_event_due_days = risk_event_due_days
    rules.save()
    return plan(trigger=f"policy:{acting_user.pk}")


@transaction.atomic
def risk_group_save(*, group: RiskGroup, data: dict[str, Any],
                    acting_user: User) -> RiskGroup:
    """Create or change a risk group; a new one gets a policy row for each kind at its default
    interval, and changed groups re-plan their customers."""
    created = group.pk is None
    for key, value in data.items():
        setattr(group, key, value)
    group.save()
    if created:
        for kind in CustomerKind.values:
            RevisitPolicy.objects.get_or_create(
                risk_group=group, customer_kind=kind,
                defaults={"interval_days": min(max(group.default_interval_days, 7), 365)})
    else:
        plan(customer_ids=list(Customer.objects.filter(risk_group=group)
                               .values_list("pk", flat=True)))
    return group


# --- Risk events (突发情况) ---------------------------------------------------------------------

def risk_event_targets(*, event: RiskEvent, user: User,
                       customer_ids: list[int] | None = None) -> QuerySet[Customer]:
    """The customers an event reaches within the declarer's scope (active ones only)."""
    scope = customer_scope(user=user).filter(status="active")
    if event.target == RiskEvent.Target.INDUSTRY:
        if event.industry_id is None:
            return scope.none()
        return scope.filter(industry_id=event.industry_id)
    if event.target == RiskEvent.Target.REGION:
        return scope.filter(Q(address__icontains=event.region)
                            | Q(registered_address__icontains=event.region))
    if event.target == RiskEvent.Target.CIRCLE:
        if event.circle_of_id is None:
            return scope.none()
        return scope.filter(pk__in=guarantee_circle_ids(customer_id=event.circle_of_id)
                            .member_ids)
    return scope.filter(pk__in=customer_ids or [])


@transaction.atomic
def risk_event_declare(*, acting_user: User, data: dict[str, Any],
                       customer_ids: list[int] | None = None) -> RiskEvent:
    """Declare an event: a task due within N days for each targeted customer in the declarer's
    scope, named after the event, and one notification to each officer concerned."""
    event = RiskEvent.objects.create(declared_by=acting_user, **data)
    targets = list(risk_event_targets(event=event, user=acting_user,
                                      customer_ids=customer_ids).select_related("officer"))
    due = timezone.localdate() + datetime.timedelta(days=event.due_within_days)
    officers: dict[int, tuple[Any, ...]] = {}
    for customer in targets:
        task, created = task_raise(customer=customer, reason=RevisitTask.Reason.RISK_EVENT,
                                   due_on=due, note=event.title, source_key=f"event:{event.pk}")
        if created:
            RevisitTask.objects.filter(pk=task.pk).update(event=event)
            officer, n = officers.get(customer.officer_id, (customer.officer, 0))
            officers[customer.officer_id] = (officer, n + 1)
    for officer, n in officers.values():
        notification_create(recipient=officer, kind="schedule.risk_event",
                            params={"title": event.title, "n": n}, url=reverse("schedule:plan"))
    event.task_count = len(targets)
    return event


# --- The plan -----------------------------------------------------------------------------------

@transaction.atomic
def task_plan_date(*, task: RevisitTask, planned_on: datetime.date | None) -> RevisitTask:
    """Set (or clear) the date the officer means to make the visit."""
    locked = RevisitTask.objects.select_for_update().get(pk=task.pk)
    locked.planned_on = planned_on
    locked.save(update_fields=["planned_on"])
    return locked


def calendar_token_renew(*, user: User) -> str:
    """A new secret for the user's calendar link; the old link stops working at once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token": token})
    return token
