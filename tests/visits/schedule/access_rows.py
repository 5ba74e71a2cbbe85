"""Rows of the project's access matrix (tests/access_matrix.py) for the revisit schedule."""

from __future__ import annotations

import datetime

from customers.models import RiskGroup
from tests.access_matrix import Row, every, only, scoped
from tests.customers.factories import CustomerFactory
from visits.schedule.services import calendar_token_renew, task_raise


def _task(p: dict) -> dict:
    task, _ = task_raise(customer=CustomerFactory(officer=p["officer"]), reason="manual",
                         due_on=datetime.date(2026, 12, 1))
    return {"pk": task.pk}


def _feed(p: dict) -> dict:
    return {"token": calendar_token_renew(user=p["officer"])}


def _group(p: dict) -> dict:
    return {"pk": RiskGroup.objects.get(code="normal").pk}


ADMIN_AND_SUPERVISORS = {"supervisor", "supervisor_b", "admin"}

SCHEDULE_ROWS: list[Row] = [
    Row("schedule:plan", every(200)),
    Row("schedule:task_plan_date", scoped(302), method="post", build=_task,
        data={"planned_on": "2026-12-01"}),
    Row("schedule:calendar", every(200)),
    Row("schedule:calendar_renew", every(302), method="post"),
    # The secret link is the credential: it answers without a session.
    Row("schedule:calendar_feed", every(200, anon=200), build=_feed),
    Row("schedule:risk_group_list", only({"admin"})),
    Row("schedule:risk_group_create", only({"admin"})),
    Row("schedule:risk_group_edit", only({"admin"}), build=_group),
    Row("schedule:policy", only({"admin"})),
    Row("schedule:event_list", only(ADMIN_AND_SUPERVISORS)),
    Row("schedule:event_create", only(ADMIN_AND_SUPERVISORS)),
]
