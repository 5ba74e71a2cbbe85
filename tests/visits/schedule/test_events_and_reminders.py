"""Risk events, reminders, the supervisors' digest and the policy page, as users meet them."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from customers.models import RiskGroup
from loanwatch.core.models import Notification
from loanwatch.devtools import demo as core_demo
from loanwatch.devtools.demo import schedule as demo
from tests.customers.factories import (
    CustomerFactory,
    GuaranteeFactory,
    IndustryFactory,
    LoanFactory,
)
from tests.visits.factories import VisitFactory, ready_visit
from visits.schedule import services
from visits.schedule.models import RevisitPolicy, RevisitTask, RiskEvent
from visits.schedule.planner import plan
from visits.services import visit_submit

pytestmark = pytest.mark.django_db


def _borrower(officer, **kwargs):
    customer = CustomerFactory(officer=officer, **kwargs)
    LoanFactory(customer=customer)
    return customer


def test_a_guarantee_circle_event_reaches_the_circle_in_scope_and_tells_each_officer_once(
        supervisor, officer, officer_b):
    a, b, c = (_borrower(officer) for _ in range(3))
    outsider = _borrower(officer_b)  # another team: outside the supervisor's scope
    unrelated = _borrower(officer)
    # a guarantees b's loan, b guarantees c's, outsider guarantees a's.
    GuaranteeFactory(loan=b.loans.first(), guarantor_customer=a)
    GuaranteeFactory(loan=c.loans.first(), guarantor_customer=b)
    GuaranteeFactory(loan=a.loans.first(), guarantor_customer=outsider)
    client = _login(supervisor)
    response = client.post(reverse("schedule:event_create"), {
        "kind": "guarantee_circle", "title": "担保圈风险：甲公司", "target": "circle",
        "circle_customer": a.identifier, "due_within_days": 3})
    assert response.status_code == 302
    tasks = RevisitTask.objects.filter(reason="risk_event")
    assert {t.customer_id for t in tasks} == {a.pk, b.pk, c.pk}
    assert unrelated.pk not in {t.customer_id for t in tasks}
    assert {t.due_on for t in tasks} == {timezone.localdate() + datetime.timedelta(days=3)}
    assert all(t.note == "担保圈风险：甲公司" for t in tasks)
    notes = Notification.objects.filter(kind="schedule.risk_event")
    assert [(n.recipient_id, n.params["n"]) for n in notes] == [(officer.pk, 3)]


def test_events_by_industry_region_and_hand(supervisor, officer):
    steel = IndustryFactory(name="钢铁")
    in_steel = _borrower(officer, industry=steel)
    in_district = _borrower(officer, address="北京市海淀区中关村大街1号")
    chosen = _borrower(officer)
    services.risk_event_declare(acting_user=supervisor, data={
        "kind": "systemic", "title": "钢价下跌", "target": "industry", "industry": steel})
    services.risk_event_declare(acting_user=supervisor, data={
        "kind": "other", "title": "暴雨", "target": "region", "region": "海淀区"})
    services.risk_event_declare(acting_user=supervisor, data={
        "kind": "controller", "title": "实控人失联", "target": "hand"},
        customer_ids=[chosen.pk])
    by_title = {t.note: t.customer_id for t in RevisitTask.objects.filter(reason="risk_event")}
    assert by_title == {"钢价下跌": in_steel.pk, "暴雨": in_district.pk, "实控人失联": chosen.pk}
    assert RiskEvent.objects.count() == 3


def test_an_officer_may_not_declare_events(officer_client):
    assert officer_client.get(reverse("schedule:event_create")).status_code == 403
    assert officer_client.post(reverse("schedule:event_create"), {}).status_code == 403


def test_reminders_go_once_not_every_day(officer):
    customer = _borrower(officer)
    today = timezone.localdate()
    task, _ = services.task_raise(customer=customer, reason="manual",
                                  due_on=today + datetime.timedelta(days=3))
    assert services.reminders_send(today=today) == {"due_soon": 1, "overdue": 0}
    assert services.reminders_send(today=today + datetime.timedelta(days=1)) == {
        "due_soon": 0, "overdue": 0}
    # Overdue: told once more, then never again.
    late = today + datetime.timedelta(days=5)
    assert services.reminders_send(today=late)["overdue"] == 1
    assert services.reminders_send(today=late + datetime.timedelta(days=1))["overdue"] == 0
    kinds = list(Notification.objects.filter(recipient=officer).values_list("kind", flat=True))
    assert sorted(kinds) == ["schedule.due_soon", "schedule.overdue"]


def test_the_supervisor_hears_of_team_overdue_tasks_once_a_day(supervisor, supervisor_b,
                                                               officer):
    customer = _borrower(officer)
    services.task_raise(customer=customer, reason="manual", due_on=datetime.date(2026, 1, 5))
    today = timezone.localdate()
    assert services.overdue_digest_send(today=today) == 1
    assert services.overdue_digest_send(today=today) == 0
    digest = Notification.objects.get(kind="schedule.digest")
    assert digest.recipient == supervisor and digest.params == {"n": 1}


def test_a_policy_change_re_plans_at_once(admin_client_, officer):
    customer = _borrower(officer)
    VisitFactory(customer=customer, visited_on=datetime.date(2026, 10, 1), status="submitted",
                 submitted_at=timezone.now(), submitted_by=officer)
    plan()
    normal = RiskGroup.objects.get(code="normal")
    page = admin_client_.get(reverse("schedule:policy"))
    data = {k: v for k, v in page.context["form"].initial.items() if v not in (None, False)}
    data[f"days_{normal.pk}_corporate"] = 45
    response = admin_client_.post(reverse("schedule:policy"), data)
    assert response.status_code == 302
    task = RevisitTask.objects.get(customer=customer, reason="periodic", status="open")
    assert task.due_on == datetime.date(2026, 11, 15)
    assert RevisitPolicy.objects.get(risk_group=normal, customer_kind="corporate"
                                     ).interval_days == 45


def test_the_policy_refuses_intervals_outside_7_to_365(admin_client_):
    normal = RiskGroup.objects.get(code="normal")
    page = admin_client_.get(reverse("schedule:policy"))
    data = {k: v for k, v in page.context["form"].initial.items() if v not in (None, False)}
    data[f"days_{normal.pk}_corporate"] = 400
    response = admin_client_.post(reverse("schedule:policy"), data)
    assert response.status_code == 200
    assert response.context["form"].errors


def test_admin_creates_and_edits_a_risk_group(admin_client_):
    response = admin_client_.post(reverse("schedule:risk_group_create"), {
        "code": "special", "name_zh": "特别关注", "name_en": "Special", "order": 25,
        "colour": "warning", "default_interval_days": 45})
    assert response.status_code == 302
    group = RiskGroup.objects.get(code="special")
    assert RevisitPolicy.objects.filter(risk_group=group).count() == 2
    page = admin_client_.get(reverse("schedule:risk_group_edit", args=[group.pk]),
                             HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "特别关注" in page.content.decode()
    # The colour is offered and remembered in words, never as Bootstrap's name for it.
    text = page.content.decode()
    history = text.split('id="history"')[1]
    assert '<strong>颜色</strong>: <span class="text-success">黄色</span>' in history
    assert "Bootstrap" not in text and ">warning<" not in text


def test_a_submitted_visit_closes_its_tasks_and_plans_the_next(officer):
    customer = _borrower(officer)
    plan()
    event_task, _ = services.task_raise(customer=customer, reason="risk_event",
                                        due_on=timezone.localdate(), source_key="event:x")
    visit = ready_visit(customer=customer, visited_on=timezone.localdate())
    visit_submit(visit=visit, acting_user=officer)
    closed = RevisitTask.objects.filter(customer=customer, status="done")
    assert {t.reason for t in closed} == {"periodic", "risk_event"}
    assert all(t.closed_by_id == visit.pk for t in closed)
    following = RevisitTask.objects.get(customer=customer, status="open", reason="periodic")
    assert following.due_on == timezone.localdate() + datetime.timedelta(days=90)


def test_a_social_media_visit_closes_nothing_not_even_the_task_it_names(officer):
    customer = _borrower(officer)
    plan()
    periodic = RevisitTask.objects.get(customer=customer, reason="periodic")
    visit = VisitFactory(customer=customer, method="social_media", status="submitted",
                         submitted_at=timezone.now(), submitted_by=officer, task=periodic)
    assert services.visit_submitted(visit=visit) == []
    periodic.refresh_from_db()
    assert periodic.status == "open"


def test_the_plan_shows_an_officer_their_tasks_week_by_week(officer_client, officer,
                                                           officer_b):
    mine = _borrower(officer, address="上海市浦东新区世纪大道100号")
    theirs = _borrower(officer_b)
    today = timezone.localdate()
    services.task_raise(customer=mine, reason="manual", due_on=today + datetime.timedelta(7))
    services.task_raise(customer=theirs, reason="manual", due_on=today)
    page = officer_client.get(reverse("schedule:plan") + "?group=district").content.decode()
    assert mine.name in page and "浦东新区" in page
    assert theirs.name not in page


@pytest.mark.parametrize("size", [2, 8])
def test_the_plan_keeps_its_query_count(officer_client, officer, django_assert_num_queries,
                                        size):
    today = timezone.localdate()
    for i in range(size):
        services.task_raise(customer=_borrower(officer), reason="manual",
                            due_on=today + datetime.timedelta(days=i * 3))
    with django_assert_num_queries(3):  # the session, the user with their team, the plan
        assert officer_client.get(reverse("schedule:plan")).status_code == 200


def test_setting_a_planned_date_and_another_teams_task(officer_client, officer, officer_b):
    task, _ = services.task_raise(customer=_borrower(officer), reason="manual",
                                  due_on=datetime.date(2026, 12, 20))
    other, _ = services.task_raise(customer=_borrower(officer_b), reason="manual",
                                   due_on=datetime.date(2026, 12, 20))
    url = reverse("schedule:task_plan_date", args=[task.pk])
    assert officer_client.post(url, {"planned_on": "2026-12-18"}).status_code == 302
    task.refresh_from_db()
    assert task.planned_on == datetime.date(2026, 12, 18)
    url = reverse("schedule:task_plan_date", args=[other.pk])
    assert officer_client.post(url, {"planned_on": "2026-12-18"}).status_code == 404


def test_the_calendar_link_lists_the_officers_visits_and_can_be_revoked(officer_client,
                                                                       officer, client):
    task, _ = services.task_raise(customer=_borrower(officer, name="好运来贸易有限公司"),
                                  reason="manual", due_on=datetime.date(2026, 12, 20))
    services.task_plan_date(task=task, planned_on=datetime.date(2026, 12, 18))
    officer_client.post(reverse("schedule:calendar_renew"))
    token = officer.calendar_feed.token
    feed = client.get(reverse("schedule:calendar_feed", args=[token]))
    body = feed.content.decode()
    assert feed["Content-Type"].startswith("text/calendar")
    assert "DTSTART;VALUE=DATE:20261218" in body and "好运来贸易有限公司" in body.replace(
        "\r\n ", "")
    officer_client.post(reverse("schedule:calendar_renew"))
    assert client.get(reverse("schedule:calendar_feed", args=[token])).status_code == 404


# Each of RFC 5545's special characters, and text that would start properties and events of its
# own if a line break (a lone carriage return above all) reached the feed unescaped.
HOSTILE_TEXT = ("a\rEND:VEVENT\rBEGIN:VEVENT\rSUMMARY:injected\nUID:x\r\n"
                "comma, semicolon; back\\slash:colon " + "长" * 40)


def _one_line_break(text: str) -> str:
    # iCalendar has one escape for every line break, "\n"; it reads back as LF.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_hostile_text_round_trips_through_the_calendar_feed(officer_client, officer, client):
    customer = _borrower(officer, name=HOSTILE_TEXT, address=HOSTILE_TEXT)
    services.task_raise(customer=customer, reason="manual", due_on=datetime.date(2026, 12, 20),
                        note=HOSTILE_TEXT)
    officer_client.post(reverse("schedule:calendar_renew"))
    feed = client.get(reverse("schedule:calendar_feed", args=[officer.calendar_feed.token]),
                      HTTP_ACCEPT_LANGUAGE="en")
    assert all(len(line) <= 75 for line in feed.content.split(b"\r\n"))  # folded
    assert b"\r" not in feed.content.replace(b"\r\n", b"")  # no bare line break anywhere
    (event,) = Calendar.from_ical(feed.content).walk("VEVENT")
    expected = _one_line_break(HOSTILE_TEXT)
    assert str(event["summary"]) == f"Visit {expected} (manual)"
    assert str(event["description"]) == f"Due 20 Dec 2026. {expected}"
    assert str(event["location"]) == expected
    assert event["uid"].startswith("revisit-task-")
    assert event.decoded("dtstart") == datetime.date(2026, 12, 20)


def test_the_customer_sheet_lists_open_tasks(officer_client, officer):
    customer = _borrower(officer)
    services.task_raise(customer=customer, reason="manual", due_on=datetime.date(2026, 12, 20),
                        note="核实新增被执行人")
    page = officer_client.get(reverse("customers:customer_detail", args=[customer.pk]))
    assert "核实新增被执行人" in page.content.decode()


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_event_never_reaches_another_teams_customers(supervisor_b, officer):
    customer = _borrower(officer, address="北京市海淀区上地信息路12号")
    event = services.risk_event_declare(acting_user=supervisor_b, data={
        "kind": "other", "title": "停电", "target": "region", "region": "海淀区"})
    assert event.task_count == 0
    assert not RevisitTask.objects.filter(customer=customer).exists()


def test_the_demo_loads_twice_without_change():
    users = core_demo.load()
    demo.load(users)
    tasks = list(RevisitTask.objects.order_by("pk").values("pk", "due_on", "status"))
    assert tasks
    assert RiskEvent.objects.count() == 1
    demo.load(users)
    assert list(RevisitTask.objects.order_by("pk").values("pk", "due_on", "status")) == tasks
    assert RiskEvent.objects.count() == 1


def test_supervisors_see_their_team_and_admins_the_bank(supervisor_client, admin_client_,
                                                        officer, officer_b):
    today = timezone.localdate()
    ours = _borrower(officer, name="甲队客户有限公司")
    theirs = _borrower(officer_b, name="乙队客户有限公司")
    for customer in (ours, theirs):
        services.task_raise(customer=customer, reason="manual", due_on=today)
    team_page = supervisor_client.get(reverse("schedule:plan")).content.decode()
    assert "甲队客户有限公司" in team_page and "乙队客户有限公司" not in team_page
    bank_page = admin_client_.get(reverse("schedule:plan")).content.decode()
    assert "甲队客户有限公司" in bank_page and "乙队客户有限公司" in bank_page
    only_b = admin_client_.get(reverse("schedule:plan") + f"?officer={officer_b.pk}")
    assert "甲队客户有限公司" not in only_b.content.decode()


@pytest.mark.parametrize("value", ["", "-1", "abc", "9" * 40, "<script>x</script>", "\x00"])
def test_hostile_answers_are_refused_with_nothing_written(supervisor_client, admin_client_,
                                                          value):
    response = supervisor_client.post(reverse("schedule:event_create"), {
        "kind": value, "title": value, "target": "hand", "customers": value,
        "due_within_days": value})
    assert response.status_code == 200 and response.context["form"].errors
    assert not RiskEvent.objects.exists()
    response = admin_client_.post(reverse("schedule:policy"), {
        "first_check_days": value, "reminder_days_before": value,
        "risk_event_due_days": value, "high_risk_industry_cap_days": value})
    assert response.status_code == 200 and response.context["form"].errors
    groups = RiskGroup.objects.count()
    response = admin_client_.post(reverse("schedule:risk_group_create"), {
        "code": value, "name_zh": value, "name_en": value, "order": value, "colour": value,
        "default_interval_days": value})
    assert response.status_code == 200
    assert RiskGroup.objects.count() == groups
