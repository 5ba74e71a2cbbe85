"""Monitoring quality: each officer's figures recounted here from the rows the test made, in
plain Python, against what the page shows; the drill-down's rows; scope; the query count."""

from __future__ import annotations

import datetime
import statistics

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import RiskSignal
from loanwatch.accounts.roles import Role
from reports import quality
from reports.models import FollowUp, RiskReport
from tests.customers.factories import CustomerFactory
from tests.factories import UserFactory
from tests.visits.factories import VisitFactory
from visits.models import EvidenceFile, Interview, Visit
from visits.schedule.models import RevisitTask

from .factories import measure

TODAY = timezone.localdate()


def ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def at(day: datetime.date) -> datetime.datetime:
    """Noon of a day in the bank's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


class Book:
    """Makes one officer's rows."""

    def __init__(self, officer):
        self.officer = officer
        self.customer = CustomerFactory(officer=officer)
        self.other_customer = CustomerFactory(officer=officer)
        self.report = RiskReport.objects.create(customer=self.customer, author=officer,
                                                status=RiskReport.Status.APPROVED)

    def visit(self, *, on: datetime.date, method=Visit.Method.ON_SITE, kind=Visit.Kind.VISIT,
              submitted=True, confirming=(), silent=0, evidence=0, copied=False) -> Visit:
        """A visit with people who confirmed the given points (one list per person), people
        who confirmed nothing, evidence files, and the copied-answers signal."""
        visit = VisitFactory(customer=self.customer, officer=self.officer, visited_on=on,
                             method=method, kind=kind,
                             status=Visit.Status.SUBMITTED if submitted else Visit.Status.DRAFT,
                             submitted_at=timezone.now() if submitted else None,
                             submitted_by=self.officer if submitted else None)
        for n, topics in enumerate(confirming):
            Interview.objects.create(visit=visit, role=Interview.Role.FINANCE_HEAD,
                                     name=f"证人{n}", topics=list(topics))
        for n in range(silent):
            Interview.objects.create(visit=visit, role=Interview.Role.EMPLOYEE,
                                     name=f"员工{n}", topics=[])
        for n in range(evidence):
            EvidenceFile.objects.create(visit=visit, kind=EvidenceFile.Kind.OTHER,
                                        file=f"evidence/{visit.customer_id}/f{visit.pk}-{n}",
                                        original_name="流水.pdf", content_type="application/pdf",
                                        size=10, sha256=f"{visit.pk:064d}",
                                        uploaded_by=self.officer)
        if copied:
            RiskSignal.objects.create(customer=self.customer, source=RiskSignal.Source.VISIT,
                                      source_id=visit.pk, rule="copied_answers",
                                      raised_at=at(on))
        return visit

    def task(self, *, due: datetime.date, closed_by: Visit | None = None,
             status=RevisitTask.Status.OPEN) -> RevisitTask:
        if closed_by is not None:
            status = RevisitTask.Status.DONE
        return RevisitTask.objects.create(
            customer=self.other_customer, officer=self.officer,
            reason=RevisitTask.Reason.MANUAL, due_on=due, status=status,
            closed_by=closed_by,
            closed_at=timezone.now() if status != RevisitTask.Status.OPEN else None)

    def signal(self, *, raised: datetime.date, status=RiskSignal.Status.OPEN) -> RiskSignal:
        return RiskSignal.objects.create(
            customer=self.other_customer, source=RiskSignal.Source.MANUAL, rule="manual",
            raised_at=at(raised), status=status,
            status_reason="已核实无风险" if status == RiskSignal.Status.DISMISSED else "")

    def follow_up(self, *, due: datetime.date, done: datetime.date | None = None,
                  status=None) -> FollowUp:
        return FollowUp.objects.create(
            report=self.report, customer=self.customer, measure=measure(), owner=self.officer,
            due_on=due, outcome="已执行" if done else "",
            status=status or (FollowUp.Status.DONE if done else FollowUp.Status.OPEN),
            done_at=at(done) if done else None, done_by=self.officer if done else None)


@pytest.fixture
def team(team_a, team_b, officer, officer_b, supervisor):
    """Three officers of team A (one weak in every figure, one sound, one with nothing yet)
    and an officer of team B whose rows must never be counted for team A."""
    weak = Book(officer)
    on_time = weak.visit(on=ago(12), confirming=[[1, 2], [3]], evidence=1)
    weak.task(due=ago(10), closed_by=on_time)  # closed by a visit before its due date
    late = weak.visit(on=ago(15), confirming=[[1, 2, 3]], evidence=0, copied=True)
    weak.task(due=ago(20), closed_by=late)  # the visit came five days after the due date
    weak.task(due=ago(5))  # still open past due
    weak.task(due=ago(6))  # still open past due
    weak.task(due=TODAY)  # due today: not late yet, not counted
    weak.task(due=ago(120), closed_by=weak.visit(on=ago(100)))  # before the period
    weak.task(due=ago(30), status=RevisitTask.Status.CANCELLED)  # cancelled: not counted
    weak.visit(on=ago(20), confirming=[[1, 2, 3, 4]], silent=2, copied=True)  # one source
    weak.visit(on=ago(25), method=Visit.Method.PHONE, confirming=[[1]], copied=True)  # remote
    weak.visit(on=ago(3), method=Visit.Method.PHONE, kind=Visit.Kind.CONTACT)  # quick contact
    weak.visit(on=ago(2), submitted=False)  # a draft
    weak.visit(on=ago(200), copied=True)  # before the period
    weak.signal(raised=ago(40))
    weak.signal(raised=ago(70), status=RiskSignal.Status.IN_REPORT)
    weak.signal(raised=ago(90), status=RiskSignal.Status.DISMISSED)  # not open
    weak.follow_up(due=ago(10), done=ago(11))  # on time
    weak.follow_up(due=ago(20), done=ago(5))  # late
    weak.follow_up(due=ago(15))  # not done
    weak.follow_up(due=ago(300), done=ago(299))  # before the period
    weak.follow_up(due=TODAY)  # due today: not counted yet

    sound_officer = UserFactory(username="officer_a2", full_name="王稳", team=team_a,
                                role=Role.OFFICER)
    sound = Book(sound_officer)
    sound.task(due=ago(8), closed_by=sound.visit(on=ago(9), confirming=[[1], [2]], evidence=2))
    sound.follow_up(due=ago(4), done=ago(4))
    sound.signal(raised=ago(2))

    UserFactory(username="officer_a3", full_name="李新", team=team_a, role=Role.OFFICER)

    other = Book(officer_b)
    other.task(due=ago(5))
    other.visit(on=ago(5), copied=True)
    other.signal(raised=ago(80))
    other.follow_up(due=ago(5))
    return {"weak": officer, "sound": sound_officer}


def expected_figures(officer, days: int = 90) -> dict[str, tuple]:
    """The six figures of an officer, counted here from the raw rows."""
    start, until = TODAY - datetime.timedelta(days=days), ago(1)

    def share(part: int, whole: int) -> float | None:
        return round(part * 100 / whole, 1) if whole else None

    tasks = [t for t in RevisitTask.objects.filter(officer=officer)
             if start <= t.due_on <= until and t.status != "cancelled"]

    def closed_on(task):
        return task.closed_by.visited_on if task.closed_by else None

    task_on_time = [t for t in tasks if t.status == "done" and closed_on(t) <= t.due_on]
    visits = [v for v in Visit.objects.filter(officer=officer)
              if v.status == "submitted" and v.kind == "visit" and start <= v.visited_on <= TODAY]
    copied_ids = set(RiskSignal.objects.filter(rule="copied_answers", source="visit")
                     .values_list("source_id", flat=True))
    copied = [v for v in visits if v.pk in copied_ids]
    on_site = [v for v in visits if v.method == "on_site"]
    one_source = [v for v in on_site if sum(1 for i in v.interviews.all() if i.topics) <= 1]
    no_evidence = [v for v in on_site if not v.evidence.all()]
    signals = [s for s in RiskSignal.objects.filter(customer__officer=officer)
               if s.status in ("open", "in_report")]
    ages = [(TODAY - timezone.localtime(s.raised_at).date()).days for s in signals]
    follow_ups = [f for f in FollowUp.objects.filter(owner=officer)
                  if start <= f.due_on <= until]
    follow_ups_on_time = [f for f in follow_ups if f.status == "done"
                          and timezone.localtime(f.done_at).date() <= f.due_on]
    return {
        "revisits": (len(task_on_time), len(tasks), share(len(task_on_time), len(tasks))),
        "copied": (len(copied), len(visits), share(len(copied), len(visits))),
        "one-source": (len(one_source), len(on_site), share(len(one_source), len(on_site))),
        "no-evidence": (len(no_evidence), len(on_site), share(len(no_evidence), len(on_site))),
        "signals": (None, len(signals), statistics.median(ages) if ages else None,
                    max(ages) if ages else None),
        "measures": (len(follow_ups_on_time), len(follow_ups),
                     share(len(follow_ups_on_time), len(follow_ups))),
    }, {"revisits": tasks, "copied": copied, "one-source": one_source,
        "no-evidence": no_evidence, "signals": signals, "measures": follow_ups}


def shown(row) -> dict[str, tuple]:
    return {f.key: ((f.count, f.total, f.value, f.extra["oldest"]) if f.key == "signals"
                    else (f.count, f.total, f.value)) for f in row.figures}


def test_the_figures_match_the_rows_counted_by_hand(team, supervisor_client):
    response = supervisor_client.get(reverse("reports:quality_list"))
    assert response.status_code == 200
    rows = response.context["rows"]
    by_officer = {row.officer.username: row for row in rows}
    # Team A's three officers, none of team B.
    assert set(by_officer) == {"officer_a", "officer_a2", "officer_a3"}
    for username, officer in (("officer_a", team["weak"]), ("officer_a2", team["sound"])):
        figures, _rows = expected_figures(officer)
        assert shown(by_officer[username]) == figures
    # The case the figures were built for, spelled out: 1 of 4 tasks on time (one late, two
    # open past due); 3 of 4 visits copied; 2 of 3 on-site visits rest on one person; 2 of 3
    # on-site visits lack evidence; 1 of 3 measures on time.
    weak = shown(by_officer["officer_a"])
    assert weak["revisits"] == (1, 4, 25.0)
    assert weak["copied"] == (3, 4, 75.0)
    assert weak["one-source"] == (2, 3, 66.7)
    assert weak["no-evidence"] == (2, 3, 66.7)
    assert weak["measures"] == (1, 3, 33.3)
    assert weak["signals"][1] == 6  # two by hand, four copied-answer signals still open
    # Nothing yet: no figure is judged.
    assert all(f.value is None and not f.weak for f in by_officer["officer_a3"].figures)


def test_the_list_is_a_coaching_list(team, supervisor_client):
    response = supervisor_client.get(reverse("reports:quality_list"), HTTP_ACCEPT_LANGUAGE="en")
    rows = response.context["rows"]
    assert [row.officer.username for row in rows][0] == "officer_a"
    weak_counts = [row.weak_count for row in rows]
    assert weak_counts == sorted(weak_counts, reverse=True)
    weak = rows[0]
    assert {f.key for f in weak.weak_figures} == {
        "revisits", "copied", "one-source", "no-evidence", "signals", "measures"}
    # The weak figures say so in words, and the talking points name the weakest.
    page = response.content.decode()
    assert page.count("below the norm") >= 6
    assert str(quality.TALK["copied"]) in weak.talk
    assert weak.talk in page
    sound = next(row for row in rows if row.officer.username == "officer_a2")
    assert sound.weak_count == 0
    assert sound.talk == str(quality.ALL_WELL)
    # In Chinese, the same words.
    page = supervisor_client.get(reverse("reports:quality_list"),
                                 HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "贷后管理质量" in page
    assert page.count("未达标") >= 6
    assert "逐项重新询问要点" in page


@pytest.mark.parametrize("key", quality.FIGURE_KEYS)
def test_the_drill_down_lists_exactly_the_rows_behind_the_figure(team, supervisor_client, key):
    _figures, rows = expected_figures(team["weak"])
    response = supervisor_client.get(
        reverse("reports:quality_detail", args=[team["weak"].pk, key]))
    assert response.status_code == 200
    assert {row.pk for row in response.context["rows"]} == {row.pk for row in rows[key]}


def test_the_drill_down_says_how_each_task_ended(team, supervisor_client):
    response = supervisor_client.get(
        reverse("reports:quality_detail", args=[team["weak"].pk, "revisits"]))
    outcomes = sorted(task.judged for task in response.context["rows"])
    assert outcomes == ["late", "on_time", "open", "open"]


def test_a_longer_period_counts_older_rows(team, supervisor_client):
    response = supervisor_client.get(reverse("reports:quality_list"), {"days": "365"})
    row = next(r for r in response.context["rows"] if r.officer.username == "officer_a")
    figures, _rows = expected_figures(team["weak"], days=365)
    assert shown(row) == figures
    assert figures["revisits"][1] == 5  # the task due 120 days ago now counts
    # A period not offered falls back to the default.
    response = supervisor_client.get(reverse("reports:quality_list"), {"days": "7"})
    assert response.context["period"].days == quality.DEFAULT_PERIOD


def test_scope(team, client, officer_client, supervisor_b, admin_client_, officer_b):
    weak = team["weak"]
    client.force_login(supervisor_b)
    assert client.get(reverse("reports:quality_detail", args=[weak.pk, "copied"])
                      ).status_code == 404
    listed = {row.officer.pk for row in client.get(reverse("reports:quality_list")
                                                   ).context["rows"]}
    assert listed == {officer_b.pk}
    assert officer_client.get(reverse("reports:quality_list")).status_code == 403
    assert officer_client.get(reverse("reports:quality_detail", args=[weak.pk, "copied"])
                              ).status_code == 403
    # An administrator opens on one team (the first) and may choose all.
    first = admin_client_.get(reverse("reports:quality_list")).context["rows"]
    assert officer_b.pk not in {row.officer.pk for row in first}
    every = admin_client_.get(reverse("reports:quality_list"), {"team": "all"}).context["rows"]
    assert {weak.pk, officer_b.pk} <= {row.officer.pk for row in every}
    assert admin_client_.get(reverse("reports:quality_detail", args=[officer_b.pk, "signals"])
                             ).status_code == 200
    assert admin_client_.get(reverse("reports:quality_detail", args=[weak.pk, "nonsense"])
                             ).status_code == 404


def test_the_query_count_does_not_grow_with_the_team(team_a, officer, supervisor_client,
                                                     django_assert_num_queries):
    Book(officer).visit(on=ago(3), confirming=[[1]])
    with django_assert_num_queries(QUALITY_PAGE_QUERIES):
        assert supervisor_client.get(reverse("reports:quality_list")).status_code == 200
    for n in range(5):
        book = Book(UserFactory(username=f"more{n}", team=team_a, role=Role.OFFICER))
        book.task(due=ago(4), closed_by=book.visit(on=ago(5), confirming=[[1], [2]]))
        book.signal(raised=ago(9))
        book.follow_up(due=ago(3))
    with django_assert_num_queries(QUALITY_PAGE_QUERIES):
        assert supervisor_client.get(reverse("reports:quality_list")).status_code == 200


# The session and its user, then the page's own: the officers, and one grouped query each for
# tasks, visits, signals and measures.
QUALITY_PAGE_QUERIES = 7


def test_the_supervisors_home_links_to_the_list(supervisor_client, officer_client):
    url = reverse("reports:quality_list")
    assert url in supervisor_client.get(reverse("core:home")).content.decode()
    assert url not in officer_client.get(reverse("core:home")).content.decode()


# The session and its user, the officer (scoped), the rows.
QUALITY_DETAIL_QUERIES = 4


@pytest.mark.parametrize("key", quality.FIGURE_KEYS)
def test_the_drill_down_query_count_does_not_grow_with_its_rows(officer, supervisor_client, key,
                                                                django_assert_num_queries):
    book = Book(officer)
    url = reverse("reports:quality_detail", args=[officer.pk, key])

    def add_rows(n: int) -> None:
        for day in range(n):
            visit = book.visit(on=ago(day + 2), confirming=[[1]], copied=True)
            book.task(due=ago(day + 1), closed_by=visit)
            book.signal(raised=ago(day + 3))
            book.follow_up(due=ago(day + 2), done=ago(day + 1))

    add_rows(1)
    with django_assert_num_queries(QUALITY_DETAIL_QUERIES):
        assert len(supervisor_client.get(url).context["rows"]) >= 1
    add_rows(6)
    with django_assert_num_queries(QUALITY_DETAIL_QUERIES):
        assert len(supervisor_client.get(url).context["rows"]) >= 7
