"""Monitoring quality (贷后管理质量): how well each officer of a team keeps their customers under
watch, as a supervisor's coaching list, and the rows behind each figure.

It lives in reports, the top layer, because one figure reads the reports' follow-up measures;
the others read visits, the revisit schedule and the customers' signals, all below it. Every
figure is one grouped query over the officers listed, so the page costs the same number of
queries for a team of three or of thirty.

The period is the last N days (PERIODS). A task or a measure is judged on its due date, from
the period's first day to yesterday: on its due day it is not late yet. A visit counts on its
visit date, from the first day to today. Quick contacts (Visit.Kind.CONTACT) are not visits
here. Open signals are counted as they stand today, whatever the period.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Aggregate,
    Case,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from customers.models import RiskSignal
from customers.selectors import customer_scope_filter
from loanwatch.accounts.models import Team, User
from loanwatch.accounts.roles import Role
from visits.models import EvidenceFile, Interview, Visit
from visits.schedule.models import RevisitTask

from .models import FollowUp

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PERIODS = (30, 90, 180, 365)
DEFAULT_PERIOD = 90

# The figures in the order the page shows them; the keys name them in the drill-down's URL.
REVISITS, COPIED, ONE_SOURCE, NO_EVIDENCE, SIGNALS, MEASURES = (
    "revisits", "copied", "one-source", "no-evidence", "signals", "measures")
FIGURE_KEYS = (REVISITS, COPIED, ONE_SOURCE, NO_EVIDENCE, SIGNALS, MEASURES)


@dataclass(frozen=True)
class Norm:
    """The bank's norm of a figure: a share in per cent (or, for signals, a median age in
    days) that must stay at least (`at_least`) or at most this `value`."""

    value: int
    at_least: bool


NORMS: dict[str, Norm] = {
    REVISITS: Norm(90, at_least=True),
    COPIED: Norm(10, at_least=False),
    ONE_SOURCE: Norm(25, at_least=False),
    NO_EVIDENCE: Norm(10, at_least=False),
    SIGNALS: Norm(30, at_least=False),
    MEASURES: Norm(90, at_least=True),
}

LABELS: dict[str, StrOrPromise] = {
    REVISITS: _("Revisits on time"),
    COPIED: _("Copied answers"),
    ONE_SOURCE: _("One person confirmed everything"),
    NO_EVIDENCE: _("Visits without evidence"),
    SIGNALS: _("Age of open signals"),
    MEASURES: _("Measures done on time"),
}

HELP: dict[str, StrOrPromise] = {
    REVISITS: _("Revisit tasks due in the period (up to yesterday): closed by a visit made on "
                "or before the due date, closed late, or still open past due. The share is the "
                "tasks closed on time. Cancelled tasks are not counted."),
    COPIED: _("Submitted visits of the period whose answers were found copied from the "
              "previous visit (the “copied answers” signal), out of all submitted visits. "
              "Quick contacts are not counted."),
    ONE_SOURCE: _("Submitted on-site visits of the period where at most one of the people "
                  "interviewed confirmed any checklist point — one person was interviewed, or "
                  "everyone else confirmed nothing — so every confirmed answer rests on one "
                  "person's word."),
    NO_EVIDENCE: _("Submitted on-site visits of the period with no evidence file uploaded "
                   "(statements, notes, bills, licence or other)."),
    SIGNALS: _("The open signals of the officer's customers today (open or taken into a "
               "report not yet decided): how many, the median age and the oldest, in days. "
               "The norm is on the median age."),
    MEASURES: _("Follow-up measures the officer owns that fell due in the period (up to "
                "yesterday): done with the outcome recorded on or before the due date, out of "
                "all due."),
}

TALK: dict[str, StrOrPromise] = {
    REVISITS: _("plan the overdue revisits first and keep to the due dates"),
    COPIED: _("ask each checklist question afresh instead of carrying answers over"),
    ONE_SOURCE: _("confirm the figures with a second person, such as the finance head or an "
                  "employee"),
    NO_EVIDENCE: _("collect bank statements, bills or delivery notes at every on-site visit"),
    SIGNALS: _("take the old open signals into a report or dismiss them with a reason"),
    MEASURES: _("agree measure dates that can be kept and record the outcomes on time"),
}
ALL_WELL: StrOrPromise = _("Every figure meets the norm: say what works well.")
# At most this many weak figures make the line of what to talk about.
TALK_POINTS = 2


@dataclass(frozen=True)
class Period:
    days: int
    today: datetime.date

    @property
    def start(self) -> datetime.date:
        return self.today - datetime.timedelta(days=self.days)

    @property
    def due_until(self) -> datetime.date:
        """The last due date judged: yesterday (a task due today is not late yet)."""
        return self.today - datetime.timedelta(days=1)


def period_of(days: Any, *, today: datetime.date | None = None) -> Period:
    """The period a request asked for; the default one for anything not offered."""
    try:
        chosen = int(days)
    except (TypeError, ValueError):
        chosen = DEFAULT_PERIOD
    return Period(days=chosen if chosen in PERIODS else DEFAULT_PERIOD,
                  today=today or timezone.localdate())


@dataclass
class Figure:
    key: str
    count: int | None  # the rows that count against the officer (or the on-time ones)
    total: int  # the rows the figure is about
    value: float | None  # a share in per cent, or the median age in days; None: nothing to judge
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> StrOrPromise:
        return LABELS[self.key]

    @property
    def norm(self) -> Norm:
        return NORMS[self.key]

    @property
    def weak(self) -> bool:
        if self.value is None:
            return False
        return self.value < self.norm.value if self.norm.at_least else self.value > self.norm.value

    @property
    def gap(self) -> float:
        """How far below the norm, as a share of the norm (0 when it meets it)."""
        if not self.weak or self.value is None:
            return 0.0
        return abs(self.value - self.norm.value) / max(self.norm.value, 1)


@dataclass
class OfficerQuality:
    officer: User
    figures: list[Figure]

    @property
    def weak_figures(self) -> list[Figure]:
        return [figure for figure in self.figures if figure.weak]

    @property
    def weak_count(self) -> int:
        return len(self.weak_figures)

    @property
    def talk(self) -> str:
        """What the supervisor talks about with the officer: the weakest figures first."""
        weakest = sorted(self.weak_figures, key=lambda figure: -figure.gap)[:TALK_POINTS]
        if not weakest:
            return str(ALL_WELL)
        # The separator is translated too: Chinese joins clauses with a full-width semicolon.
        return gettext("; ").join(str(TALK[figure.key]) for figure in weakest)


def home_card(*, user: User) -> dict[str, Any]:
    """The supervisor's home card links to the list; it counts nothing (no query)."""
    return {"days": DEFAULT_PERIOD}


# --- Who is listed -------------------------------------------------------------------------------

def team_choices(*, user: User) -> list[tuple[int, str]]:
    """The teams an administrator may narrow the list to; none for a supervisor."""
    if user.role != Role.ADMIN:
        return []
    return list(Team.objects.order_by("code").values_list("pk", "name"))


def officers_for(*, user: User, team_id: int | None = None) -> QuerySet[User]:
    """The active officers the user coaches: a supervisor's team, an administrator's chosen
    team (None: every team)."""
    officers = User.objects.filter(role=Role.OFFICER, is_active=True)
    if user.role == Role.SUPERVISOR and user.team_id:
        officers = officers.filter(team_id=user.team_id)
    elif user.role == Role.ADMIN:
        if team_id is not None:
            officers = officers.filter(team_id=team_id)
    else:
        officers = officers.none()
    return officers.order_by("full_name", "username")


def officer_get_for_user(*, user: User, pk: int) -> User:
    """An officer the user coaches, or 404 (another team's officer is not shown to exist)."""
    officer = officers_for(user=user).filter(pk=pk).select_related("team").first()
    if officer is None:
        raise Http404
    return officer


# --- The rows behind each figure -----------------------------------------------------------------

def _closed_on() -> Coalesce:
    """The day a task was closed: the closing visit's date, else the day it was marked done."""
    return Coalesce(F("closed_by__visited_on"), TruncDate("closed_at"), output_field=DateField())


def _on_time() -> Q:
    return Q(status=RevisitTask.Status.DONE) & Q(LessThanOrEqual(_closed_on(), F("due_on")))


def _late() -> Q:
    return Q(status=RevisitTask.Status.DONE) & Q(GreaterThan(_closed_on(), F("due_on")))


def tasks(*, user: User, officer_ids: Any, period: Period) -> QuerySet[RevisitTask]:
    """Revisit tasks of the officers due in the period, up to yesterday, not cancelled."""
    return RevisitTask.objects.filter(
        customer_scope_filter(user=user, through="customer__"), officer_id__in=officer_ids,
        due_on__gte=period.start, due_on__lte=period.due_until,
        status__in=[RevisitTask.Status.DONE, RevisitTask.Status.OPEN])


def visits(*, user: User, officer_ids: Any, period: Period) -> QuerySet[Visit]:
    """Submitted visits with the checklist (no quick contacts) of the officers in the period."""
    return Visit.objects.filter(
        customer_scope_filter(user=user, through="customer__"), officer_id__in=officer_ids,
        status=Visit.Status.SUBMITTED, kind=Visit.Kind.VISIT,
        visited_on__gte=period.start, visited_on__lte=period.today)


def _copied() -> Exists:
    return Exists(RiskSignal.objects.filter(source=RiskSignal.Source.VISIT,
                                            source_id=OuterRef("pk"), rule="copied_answers"))


def _people_confirming() -> Coalesce:
    """How many of the people interviewed at the visit confirmed at least one point."""
    confirming = (Interview.objects.filter(visit=OuterRef("pk"), topics__len__gt=0)
                  .order_by().values("visit").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(confirming, output_field=IntegerField()), Value(0))


ON_SITE = Q(method=Visit.Method.ON_SITE)


def _one_source() -> Q:
    return ON_SITE & Q(LessThanOrEqual(_people_confirming(), 1))


def _no_evidence() -> Q:
    return ON_SITE & ~Q(Exists(EvidenceFile.objects.filter(visit=OuterRef("pk"))))


OPEN_SIGNAL_STATUSES = (RiskSignal.Status.OPEN, RiskSignal.Status.IN_REPORT)


def signals(*, user: User, officer_ids: Any) -> QuerySet[RiskSignal]:
    """Open signals (open, or in a report not yet decided) of the officers' customers."""
    return RiskSignal.objects.filter(
        customer_scope_filter(user=user, through="customer__"),
        customer__officer_id__in=officer_ids, status__in=OPEN_SIGNAL_STATUSES)


def _age_days(today: datetime.date) -> Func:
    """Whole days from the day a signal was raised (the bank's calendar) to today."""
    return Func(Value(today, output_field=DateField()), TruncDate("raised_at"),
                template="(%(expressions)s)", arg_joiner=" - ", output_field=IntegerField())


class Median(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def measures(*, user: User, officer_ids: Any, period: Period) -> QuerySet[FollowUp]:
    """Follow-up measures the officers own, due in the period up to yesterday."""
    return FollowUp.objects.filter(
        customer_scope_filter(user=user, through="customer__"), owner_id__in=officer_ids,
        due_on__gte=period.start, due_on__lte=period.due_until)


def _measure_on_time() -> Q:
    return Q(status=FollowUp.Status.DONE) & Q(LessThanOrEqual(TruncDate("done_at"), F("due_on")))


# --- The list ------------------------------------------------------------------------------------

def _share(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def quality_list(*, user: User, team_id: int | None, period: Period) -> list[OfficerQuality]:
    """Every officer the user coaches with their six figures, those with the most figures
    below the norm first. Six queries whatever the number of officers."""
    officers = list(officers_for(user=user, team_id=team_id))
    ids = [officer.pk for officer in officers]
    task_rows = {row["officer_id"]: row for row in tasks(user=user, officer_ids=ids, period=period)
                 .order_by().values("officer_id").annotate(
                     total=Count("pk"), on_time=Count("pk", filter=_on_time()),
                     late=Count("pk", filter=_late()),
                     open=Count("pk", filter=Q(status=RevisitTask.Status.OPEN)))}
    visit_rows = {row["officer_id"]: row for row in visits(user=user, officer_ids=ids,
                                                           period=period)
                  .order_by().values("officer_id").annotate(
                      total=Count("pk"), copied=Count("pk", filter=Q(_copied())),
                      on_site=Count("pk", filter=ON_SITE),
                      one_source=Count("pk", filter=_one_source()),
                      no_evidence=Count("pk", filter=_no_evidence()))}
    signal_rows = {row["customer__officer_id"]: row for row in signals(user=user, officer_ids=ids)
                   .order_by().values("customer__officer_id").annotate(
                       total=Count("pk"), median=Median(_age_days(period.today)),
                       oldest=Max(_age_days(period.today)))}
    measure_rows = {row["owner_id"]: row for row in measures(user=user, officer_ids=ids,
                                                             period=period)
                    .order_by().values("owner_id").annotate(
                        total=Count("pk"), on_time=Count("pk", filter=_measure_on_time()))}
    result = []
    for officer in officers:
        t = task_rows.get(officer.pk, {"total": 0, "on_time": 0, "late": 0, "open": 0})
        v = visit_rows.get(officer.pk, {"total": 0, "copied": 0, "on_site": 0, "one_source": 0,
                                        "no_evidence": 0})
        s = signal_rows.get(officer.pk, {"total": 0, "median": None, "oldest": None})
        m = measure_rows.get(officer.pk, {"total": 0, "on_time": 0})
        result.append(OfficerQuality(officer=officer, figures=[
            Figure(REVISITS, t["on_time"], t["total"], _share(t["on_time"], t["total"]),
                   {"late": t["late"], "open": t["open"]}),
            Figure(COPIED, v["copied"], v["total"], _share(v["copied"], v["total"])),
            Figure(ONE_SOURCE, v["one_source"], v["on_site"],
                   _share(v["one_source"], v["on_site"])),
            Figure(NO_EVIDENCE, v["no_evidence"], v["on_site"],
                   _share(v["no_evidence"], v["on_site"])),
            Figure(SIGNALS, None, s["total"],
                   round(s["median"], 1) if s["median"] is not None else None,
                   {"oldest": s["oldest"]}),
            Figure(MEASURES, m["on_time"], m["total"], _share(m["on_time"], m["total"])),
        ]))
    result.sort(key=lambda row: -row.weak_count)  # stable: by name within a count
    return result


# --- The drill-down ------------------------------------------------------------------------------

def figure_rows(*, user: User, officer: User, key: str, period: Period) -> QuerySet[Any]:
    """The rows behind one figure of one officer, scoped as the list is.

    Revisits and measures: every row judged, with how it ended (`judged`: "on_time", "late",
    "open"); visit figures: the visits that count against the officer; signals: every open
    signal with its age (`age_days`), the oldest first."""
    ids = [officer.pk]
    if key == REVISITS:
        return (tasks(user=user, officer_ids=ids, period=period)
                .annotate(closed_on=_closed_on(), judged=Case(
                    When(_on_time(), then=Value("on_time")), When(_late(), then=Value("late")),
                    default=Value("open")))
                .select_related("customer").order_by("due_on", "pk"))
    if key in (COPIED, ONE_SOURCE, NO_EVIDENCE):
        condition = {COPIED: Q(_copied()), ONE_SOURCE: _one_source(),
                     NO_EVIDENCE: _no_evidence()}[key]
        return (visits(user=user, officer_ids=ids, period=period).filter(condition)
                .annotate(people_confirming=_people_confirming(),
                          evidence_count=Count("evidence"))
                .select_related("customer").order_by("-visited_on", "-pk"))
    if key == SIGNALS:
        return (signals(user=user, officer_ids=ids)
                .annotate(age_days=_age_days(period.today))
                .select_related("customer").order_by("raised_at", "pk"))
    if key == MEASURES:
        return (measures(user=user, officer_ids=ids, period=period)
                .annotate(judged=Case(When(_measure_on_time(), then=Value("on_time")),
                                       When(status=FollowUp.Status.DONE, then=Value("late")),
                                       default=Value("open")))
                .select_related("customer", "measure").order_by("due_on", "pk"))
    raise Http404
