"""Reads. A report is visible to whoever may see its customer (customers.selectors); 404
outside that scope."""

from __future__ import annotations

import datetime
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from customers.models import Customer, Loan, RiskSignal
from customers.selectors import customer_scope
from loanwatch.accounts.models import User
from loanwatch.accounts.roles import Role
from loanwatch.core.home import first_rows_and_count
from visits.briefing import BriefingItem
from visits.models import BriefingAnswer

from .models import (
    CustomerWarning,
    FollowUp,
    ProposedClassification,
    ProposedMeasure,
    RiskReport,
    WarningApprovalSettings,
    WarningLevel,
    default_two_approval_levels,
)

if TYPE_CHECKING:
    from visits.models import Visit

# How far back a report looks for signals raised outside the visit it starts from (record
# checks, risk events, signals entered by hand).
SIGNAL_LOOKBACK_DAYS = 180


def report_scope(*, user: User) -> QuerySet[RiskReport]:
    return RiskReport.objects.filter(customer__in=customer_scope(user=user))


def report_get_for_user(*, user: User, pk: int) -> RiskReport:
    """One report with everything its page and its PDF show, or 404."""
    report = (report_scope(user=user).filter(pk=pk)
              .select_related("customer__officer", "customer__team", "customer__risk_group",
                              "visit__officer", "author", "decided_by", "first_approved_by",
                              "proposed_risk_group",
                              "risk_group_before", "risk_group_after")
              .prefetch_related(
                  "points",
                  Prefetch("measures", queryset=ProposedMeasure.objects.select_related(
                      "measure")),
                  Prefetch("classifications", queryset=ProposedClassification.objects
                           .select_related("loan")),
                  Prefetch("follow_ups", queryset=FollowUp.objects
                           .select_related("measure", "owner").order_by("pk")),
                  "transitions__by")
              .first())
    if report is None:
        raise Http404
    return report


def report_list_for_customer(*, customer: Customer) -> QuerySet[RiskReport]:
    """A customer's reports, newest first; the customer was fetched through the user's scope."""
    return (RiskReport.objects.filter(customer=customer)
            .select_related("author", "decided_by").order_by("-created_at", "-pk"))


def approval_queue(*, user: User) -> QuerySet[RiskReport]:
    """Reports awaiting a decision the user may take, oldest first. Their own reports are
    left out: nobody decides on what they wrote; nor those they gave the first of two
    approvals, which await someone else."""
    if user.role not in (Role.SUPERVISOR, Role.ADMIN):
        return RiskReport.objects.none()
    return (report_scope(user=user).filter(status=RiskReport.Status.SUBMITTED)
            .exclude(author=user).exclude(first_approved_by=user)
            .select_related("customer", "author").order_by("submitted_at", "pk"))


def follow_ups_open(*, user: User) -> QuerySet[FollowUp]:
    """The user's measures not yet done: open, or waiting for a supervisor's sign-off."""
    return (FollowUp.objects.filter(owner=user, customer__in=customer_scope(user=user))
            .exclude(status=FollowUp.Status.DONE)
            .select_related("customer", "measure").order_by("due_on", "pk"))


def briefing_items(*, customer: Customer) -> list[BriefingItem]:
    """The customer's measures still open, as items of a visit's briefing. One query."""
    items = (FollowUp.objects.filter(customer_id=customer.pk)
             .exclude(status=FollowUp.Status.DONE).select_related("measure")
             .order_by("due_on", "pk"))
    return [BriefingItem(
        BriefingAnswer.Source.MEASURE, item.pk,
        _("%(measure)s (due %(due)s)") % {
            "measure": f"{item.measure}: {item.note}" if item.note else str(item.measure),
            "due": date_format(item.due_on) if item.due_on else "—"},
        _("See how far it has come and whether it is working.")) for item in items]


def follow_up_get_for_user(*, user: User, pk: int) -> FollowUp:
    """One follow-up item of a customer the user may see, or 404."""
    item = (FollowUp.objects.filter(pk=pk, customer__in=customer_scope(user=user))
            .select_related("customer", "measure", "owner", "done_by", "signed_off_by",
                            "report").first())
    if item is None:
        raise Http404
    return item


def follow_up_sign_off_by(*, item: FollowUp) -> list[User]:
    """Who is asked to sign an outcome off: the supervisors of the customer's team, save
    whoever recorded it; the admins when the team has no other supervisor."""
    others = User.objects.filter(is_active=True).exclude(pk=item.done_by_id or 0)
    supervisors = list(others.filter(role=Role.SUPERVISOR, team_id=item.customer.team_id))
    return supervisors or list(others.filter(role=Role.ADMIN))


def follow_ups_overdue(*, user: User, today: datetime.date | None = None) -> QuerySet[FollowUp]:
    """Measures of customers the user may see that are past their due date and not done
    (open, or an outcome still waiting for its sign-off), the longest overdue first."""
    today = today or timezone.localdate()
    return (FollowUp.objects.filter(customer__in=customer_scope(user=user), due_on__lt=today)
            .exclude(status=FollowUp.Status.DONE)
            .order_by("due_on", "pk"))


def overdue_follow_ups_by_team(*, today: datetime.date) -> dict[int, int]:
    """How many measures are overdue in each team (one grouped query), for the daily digest."""
    return dict(FollowUp.objects.filter(due_on__lt=today, customer__team__isnull=False)
                .exclude(status=FollowUp.Status.DONE)
                .values_list("customer__team_id").annotate(n=Count("pk")).order_by())


def signals_for_report(*, customer: Customer,
                       visit: Visit | None = None) -> QuerySet[RiskSignal]:
    """The open signals a new report starts from: those of its visit, and those raised lately
    by anything but a visit (record checks, risk events, by hand)."""
    since = timezone.now() - timedelta(days=SIGNAL_LOOKBACK_DAYS)
    condition = Q(raised_at__gte=since) & ~Q(source=RiskSignal.Source.VISIT)
    if visit is not None:
        condition |= Q(source=RiskSignal.Source.VISIT, source_id=visit.pk)
    # Only open signals: one a report took in, dismissed or expired is not judged again.
    return RiskSignal.objects.filter(condition, customer=customer,
                                     status=RiskSignal.Status.OPEN).order_by("raised_at", "pk")


def loans_for_report(*, customer: Customer) -> QuerySet[Loan]:
    return Loan.objects.filter(customer=customer, balance__gt=0).order_by("disbursed_on", "pk")


def deciders_for(*, report: RiskReport) -> QuerySet[User]:
    """Who is told a report awaits a decision: the supervisors of the customer's team."""
    return User.objects.filter(role=Role.SUPERVISOR, team_id=report.customer.team_id,
                               is_active=True).exclude(pk=report.author_id)


def second_deciders_for(*, report: RiskReport) -> QuerySet[User]:
    """Who may give the second of two approvals, told that it awaits them: the other
    supervisors of the customer's team and the administrators, never the author."""
    return (User.objects.filter(Q(role=Role.SUPERVISOR, team_id=report.customer.team_id)
                                | Q(role=Role.ADMIN), is_active=True)
            .exclude(pk__in=[report.author_id, report.first_approved_by_id]))


def two_approval_levels() -> list[str]:
    """The warning levels whose reports need two approvals (administrators choose them)."""
    row = WarningApprovalSettings.objects.filter(pk=1).first()
    return list(row.two_approval_levels) if row else default_two_approval_levels()


def warning_active_for(*, customer_id: int) -> CustomerWarning | None:
    return CustomerWarning.objects.filter(customer_id=customer_id,
                                          status=CustomerWarning.Status.ACTIVE).first()


def level_decided(*, report: RiskReport) -> str:
    """The warning level a decision on the report is about: its own, or for a release the
    level of the warning it ends."""
    if not report.is_release:
        return report.warning_level
    active = warning_active_for(customer_id=report.customer_id)
    return active.level if active else WarningLevel.NONE


def needs_two_approvals(*, report: RiskReport) -> bool:
    if report.first_approved_by_id is not None:
        return True
    level = level_decided(report=report)
    return level != WarningLevel.NONE and level in two_approval_levels()


def warning_for_sheet(*, customer: Customer) -> CustomerWarning | None:
    """The customer's standing warning (or the latest released one) with its reports, and the
    open release report if one is proposed, in one query."""
    open_release = RiskReport.objects.filter(
        customer=OuterRef("customer_id"), kind=RiskReport.Kind.RELEASE,
        status__in=[RiskReport.Status.DRAFT, RiskReport.Status.SUBMITTED]).order_by("-pk")
    return (CustomerWarning.objects.filter(customer=customer)
            .select_related("raised_by", "last_report", "release_report")
            .annotate(open_release_pk=Subquery(open_release.values("pk")[:1]),
                      open_release_status=Subquery(open_release.values("status")[:1]))
            .order_by("status", "-since", "-pk").first())


# --- Home cards --------------------------------------------------------------------------------


def follow_ups_card(*, user: User) -> dict[str, Any]:
    """The officer's follow-up items from approved reports not yet done, the overdue ones
    marked (one query)."""
    return {"items": list(follow_ups_open(user=user)[:20])}


def overdue_measures_card(*, user: User) -> dict[str, Any]:
    """The team's overdue measures with their owners, the longest overdue first (one query)."""
    rows, count = first_rows_and_count(
        follow_ups_overdue(user=user).select_related("customer", "measure", "owner"))
    return {"overdue_measures": rows, "overdue_measures_count": count}


def approval_card(*, user: User) -> dict[str, Any]:
    """How many reports await the supervisor's or admin's decision, and the oldest (one
    query)."""
    return approval_queue(user=user).order_by().aggregate(
        waiting=Count("pk"), oldest=Min("submitted_at"))


def returned_card(*, user: User) -> dict[str, Any]:
    """The officer's reports sent back for revision, newest decision first."""
    returned = (RiskReport.objects.filter(author=user, status=RiskReport.Status.DRAFT,
                                          decided_by__isnull=False)
                .select_related("customer").only("customer__name", "decision_comment", "created_at")
                .order_by("-decided_at"))
    rows, count = first_rows_and_count(returned)
    return {"returned": rows, "returned_count": count}


def warnings_card(*, user: User) -> dict[str, Any]:
    """The team's active warnings by level, in one grouped query on the customers' copy of
    the level (no join)."""
    levels = dict(customer_scope(user=user).exclude(warning_level=WarningLevel.NONE)
                  .values_list("warning_level").annotate(n=Count("pk")).order_by())
    counts = [(level, levels.get(level.value, 0)) for level in WarningLevel
              if level != WarningLevel.NONE]
    return {"warning_levels": counts, "warning_total": sum(n for _level, n in counts)}


def my_warnings_card(*, user: User) -> dict[str, Any]:
    """The officer's customers under a warning, the highest level first (one query)."""
    rank = Case(*[When(warning_level=level, then=Value(WarningLevel.rank(level)))
                  for level in WarningLevel.values], output_field=IntegerField())
    customers = (customer_scope(user=user).exclude(warning_level=WarningLevel.NONE)
                 .only("name", "warning_level", "warning_since")
                 .order_by(rank.desc(), "warning_since", "pk"))
    rows, count = first_rows_and_count(customers)
    return {"warned": rows, "warned_count": count}
