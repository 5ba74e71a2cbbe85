"""The plan page's rows are written in Python (visits/schedule/templatetags/plan_rows.py): each
row still links its customer, words its reason and note, marks it overdue, names the officer for
a supervisor and carries a working planned-date form; every value is escaped; and the page's
queries do not grow with its rows."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.customers.factories import CustomerFactory
from visits.schedule.models import RevisitTask

pytestmark = pytest.mark.django_db
PLAN = reverse("schedule:plan")


def _task(officer, *, name="客户", days=3, note="", **extra):
    customer = CustomerFactory(officer=officer, name=name, address="上海市浦东新区某路1号")
    return RevisitTask.objects.create(
        customer=customer, officer=officer, reason="periodic", note=note,
        due_on=timezone.localdate() + datetime.timedelta(days=days), **extra)


def test_a_row_links_words_marks_and_plans_its_task(supervisor_client, officer):
    late = _task(officer, name='<b>"坏"</b>', days=-2, note="<i>记</i>")
    planned = _task(officer, name="计划", planned_on=timezone.localdate())
    page = supervisor_client.get(PLAN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'href="{reverse("customers:customer_detail", args=[late.customer_id])}"' in page
    assert "&lt;b&gt;&quot;坏&quot;&lt;/b&gt;" in page and '<b>"坏"' not in page
    assert "&lt;i&gt;记&lt;/i&gt;" in page and "上海市浦东新区某路1号" in page
    assert f'action="{reverse("schedule:task_plan_date", args=[planned.pk])}"' in page
    assert f'value="{timezone.localdate().isoformat()}" aria-label="planned for"' in page
    assert 'class="text-danger fw-semibold"' in page  # the late one
    assert f"<td>{officer}</td>" in page  # a supervisor sees whose task it is
    assert len(re.findall('/planned/" class="d-flex gap-1"><input type="hidden" '
                          'name="csrfmiddlewaretoken" value="[^"]+"', page)) == 2


def test_the_planned_date_form_of_a_row_works(officer_client, officer):
    task = _task(officer)
    page = officer_client.get(PLAN).content.decode()
    action = re.search(r'action="([^"]+/planned/)"', page)[1]
    day = timezone.localdate() + datetime.timedelta(days=1)
    response = officer_client.post(action, {"planned_on": day.isoformat(), "next": PLAN})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.planned_on == day


@pytest.mark.parametrize("persona", ["officer_client", "supervisor_client", "admin_client_"])
def test_the_plan_costs_the_same_queries_for_two_rows_or_forty(request, officer, persona):
    client = request.getfixturevalue(persona)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PLAN).status_code == 200
        return len(captured)

    for n in range(2):
        _task(officer, name=f"少{n}", days=n - 1)
    client.get(PLAN)  # the session settles
    few = queries()
    for n in range(38):
        _task(officer, name=f"多{n}", days=n % 20 - 3, note="记")
    assert queries() == few
