"""Hostile and random input to the revisit policy grid, the risk-event form and a task's planned
date: a clear error and nothing changed, or an exact save — never a server error."""

from __future__ import annotations

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation
from hypothesis import event, given
from hypothesis import strategies as st

from customers.models import RiskGroup
from tests.customers.factories import CustomerFactory
from tests.hostile import HOSTILE_DATE, HOSTILE_NUMBER, HOSTILE_TEXT, HYPOTHESIS
from visits.schedule.models import RevisitPolicy, RevisitTask, RiskEvent

pytestmark = pytest.mark.django_db


def _policy_form() -> dict:
    form = {"high_risk_industry_cap_days": "30", "first_check_days": "30",
            "reminder_days_before": "3", "risk_event_due_days": "3"}
    for group in RiskGroup.objects.all():
        for kind in ("corporate", "individual"):
            form[f"days_{group.pk}_{kind}"] = str(group.default_interval_days)
    return form


@HYPOTHESIS
@given(data=st.data())
def test_policy_grid(admin_client_, data):
    form = _policy_form()
    hostile = data.draw(st.lists(st.sampled_from(sorted(form)), min_size=1, max_size=3,
                                 unique=True), label="fields")
    for name in hostile:
        form[name] = data.draw(HOSTILE_NUMBER, label=name)
    before = sorted(RevisitPolicy.objects.values_list("risk_group", "customer_kind",
                                                      "interval_days"))
    response = admin_client_.post(reverse("schedule:policy"), form)
    assert response.status_code in (200, 302)
    event(f"answered {response.status_code}")
    after = RevisitPolicy.objects.values_list("risk_group", "customer_kind", "interval_days")
    if response.status_code == 200:
        assert sorted(after) == before
    else:
        assert all(7 <= days <= 365 for _g, _k, days in after)


@HYPOTHESIS
@given(kind=st.sampled_from([*RiskEvent.Kind.values, "", "war"]), title=HOSTILE_TEXT,
       description=HOSTILE_TEXT, target=st.sampled_from([*RiskEvent.Target.values, "all"]),
       region=HOSTILE_TEXT, customers=HOSTILE_TEXT, due=HOSTILE_NUMBER)
def test_risk_event(supervisor_client, officer, kind, title, description, target, region,
                    customers, due):
    CustomerFactory(officer=officer, address="北京市海淀区中关村大街1号")
    events, tasks = RiskEvent.objects.count(), RevisitTask.objects.count()
    response = supervisor_client.post(reverse("schedule:event_create"), {
        "kind": kind, "title": title, "description": description, "target": target,
        "region": region, "customers": customers, "due_within_days": due})
    assert response.status_code in (200, 302)
    event(f"answered {response.status_code}")
    if response.status_code == 200:
        assert (RiskEvent.objects.count(), RevisitTask.objects.count()) == (events, tasks)
    else:
        assert RiskEvent.objects.latest("pk").title == title.strip()


@HYPOTHESIS
@given(planned=HOSTILE_DATE)
def test_planned_date(officer_client, officer, planned):
    customer = CustomerFactory(officer=officer)
    task = RevisitTask.objects.create(customer=customer, officer=officer, reason="manual",
                                      due_on="2026-12-20")
    response = officer_client.post(reverse("schedule:task_plan_date", args=[task.pk]),
                                   {"planned_on": planned})
    assert response.status_code in (200, 302, 400)
    task.refresh_from_db()
    if task.planned_on is not None:  # saved: exactly the date the input names
        with translation.override("zh-hans"):
            assert task.planned_on == forms.DateField().clean(planned)
