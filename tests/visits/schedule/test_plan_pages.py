"""A supervisor's or an administrator's plan is read a page at a time by keyset (the due date,
then the id): walking the pages forward or back shows every open task of the user's scope and
filters exactly once, in order from page to page, never another team's; a forged token opens the
first page; an officer's own plan stays on one page, so that the offline button keeps all its
customers; and a later page costs the queries of the first at two sizes."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.customers.factories import CustomerFactory
from visits.schedule import selectors, views
from visits.schedule.models import RevisitTask, RiskEvent

pytestmark = pytest.mark.django_db
PLAN = reverse("schedule:plan")
PAGE = 4


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch):
    monkeypatch.setattr(selectors, "PLAN_PAGE", PAGE)


def _tasks(officer, n: int, *, offset: int = 0) -> None:
    """`n` open tasks of `officer`, due from five days ago to seven weeks ahead, with ties; one
    planned into a later week than its due date; and one already done."""
    today = timezone.localdate()
    for i in range(n):
        customer = CustomerFactory(officer=officer, name=f"客户{offset + i}")
        task = RevisitTask.objects.create(
            customer=customer, officer=officer, reason="periodic",
            due_on=today + datetime.timedelta(days=(i * 5) % 50 - 5))
        if i == 1:
            task.planned_on = today + datetime.timedelta(days=30)
            task.save(update_fields=["planned_on"])
    RevisitTask.objects.create(customer=customer, officer=officer, reason="risk_change",
                               due_on=today, status=RevisitTask.Status.DONE)


def _ids(page: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'action="[^"]*/(\d+)/planned/"', page)]


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'href="([^"]+)" rel="{rel}"', page)
    return html.unescape(found[1]) if found else None


def _walk(client, params: dict) -> tuple[list[list[int]], list[list[int]]]:
    page = client.get(PLAN, params).content.decode()
    forward = [_ids(page)]
    while (nxt := _link(page, "next")) is not None:
        page = client.get(PLAN + nxt).content.decode()
        forward.append(_ids(page))
    backward = [_ids(page)]
    while (prev := _link(page, "prev")) is not None:
        page = client.get(PLAN + prev).content.decode()
        backward.insert(0, _ids(page))
    return forward, backward


def _key(pk: int) -> tuple[datetime.date, int]:
    return RevisitTask.objects.get(pk=pk).due_on, pk


@pytest.mark.parametrize("persona,scope", [
    ("supervisor_client", "team_a"), ("admin_client_", "all"),
    ("admin_client_", "officer_b"), ("admin_client_", "four_weeks")])
def test_walking_the_plan_shows_every_task_once(request, officer, officer_b, persona, scope):
    _tasks(officer, 9)
    _tasks(officer_b, 10, offset=100)
    client = request.getfixturevalue(persona)
    today = timezone.localdate()
    horizon = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(weeks=8)
    open_tasks = RevisitTask.objects.filter(status="open")
    params: dict = {}
    if scope == "team_a":
        open_tasks = open_tasks.filter(customer__team=officer.team)
    elif scope == "officer_b":
        open_tasks, params = open_tasks.filter(officer=officer_b), {"officer": officer_b.pk}
    elif scope == "four_weeks":
        horizon -= datetime.timedelta(weeks=4)
        params = {"weeks": 4}
    expected = sorted(open_tasks.filter(due_on__lt=horizon).values_list("due_on", "pk"))
    assert len(expected) > 2 * PAGE
    forward, backward = _walk(client, params)
    assert forward == backward
    shown = [pk for page in forward for pk in page]
    assert sorted(shown) == sorted(pk for _due, pk in expected)  # each exactly once
    # Pages follow each other in the order of due date and id.
    for before, after in zip(forward, forward[1:], strict=False):
        assert max(map(_key, before)) < min(map(_key, after))


def test_a_forged_token_opens_the_first_page(supervisor_client, officer):
    _tasks(officer, 9)
    first = supervisor_client.get(PLAN).content.decode()
    token = re.search(r"after=([^&]+)", _link(first, "next"))[1]
    for bad in ("x" * 30, token[:-3] + "abc", token.replace(":", "")):
        assert _ids(supervisor_client.get(PLAN, {"after": bad}).content.decode()) == _ids(first)
    assert 'id="plan-paged"' in first


def test_an_officers_own_plan_stays_on_one_page_for_offline_use(officer_client, officer):
    _tasks(officer, 9)
    page = officer_client.get(PLAN).content.decode()
    assert _link(page, "next") is None and 'id="plan-paged"' not in page
    linked = set(re.findall(r'customers/(\d+)/" data-offline-link', page))
    assert linked == {str(pk) for pk in RevisitTask.objects.filter(status="open")
                      .values_list("customer_id", flat=True)}
    assert 'id="offline-keep-links"' in page


@pytest.mark.parametrize("persona", ["supervisor_client", "admin_client_"])
def test_a_later_page_costs_the_queries_of_the_first_at_two_sizes(request, officer, persona):
    client = request.getfixturevalue(persona)

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    _tasks(officer, 2 * PAGE + 1)
    client.get(PLAN)  # the session settles
    first = client.get(PLAN).content.decode()
    counts = [queries(PLAN), queries(PLAN + _link(first, "next"))]
    _tasks(officer, 30, offset=50)
    first = client.get(PLAN).content.decode()
    assert [queries(PLAN), queries(PLAN + _link(first, "next"))] == counts
    assert counts[0] == counts[1]


def test_the_events_list_says_when_it_shows_only_the_latest(monkeypatch, supervisor_client,
                                                             supervisor):
    monkeypatch.setattr(views, "EVENTS_SHOWN", 2)
    url = reverse("schedule:event_list")
    for n in range(2):
        RiskEvent.objects.create(kind="other", title=f"事件{n}", target="region", region="浦东",
                                 due_within_days=7, declared_by=supervisor)
    page = supervisor_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "事件0" in page and 'id="events-capped"' not in page
    RiskEvent.objects.create(kind="other", title="事件2", target="region", region="浦东",
                             due_within_days=7, declared_by=supervisor)
    page = supervisor_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "事件2" in page and "事件1" in page and "事件0" not in page  # the latest two
    assert "The latest 2 risk events are shown." in page
