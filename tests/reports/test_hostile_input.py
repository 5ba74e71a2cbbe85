"""Hostile and random input to the report form and the decision: a clear error or an exact save
— never a server error, never a half-written report or a decision taken on bad input."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from reports.models import RiskReport
from tests.hostile import HOSTILE_DATE, HOSTILE_NUMBER, HOSTILE_TEXT, HYPOTHESIS

from .factories import draft_report, measure, submitted_report

pytestmark = pytest.mark.django_db
FIELDS = {
    "warning_level": st.sampled_from(["none", "blue", "red", "", "purple"]),
    "assessment": HOSTILE_TEXT,
    "proposed_risk_group": st.one_of(HOSTILE_NUMBER, st.just("")),
    "points-0-category": st.sampled_from(["finance", "operations", "", "x"]),
    "points-0-severity": st.sampled_from(["notice", "serious", "fatal"]),
    "points-0-text": HOSTILE_TEXT,
    "measures-0-due_on": HOSTILE_DATE,
    "measures-0-note": HOSTILE_TEXT,
    "points-TOTAL_FORMS": st.sampled_from(["1", "0", "-1", "1000000", "x"]),
}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@HYPOTHESIS
@given(data=st.data(), hostile=st.lists(st.sampled_from(sorted(FIELDS)), min_size=1,
                                        max_size=3, unique=True))
def test_report_form(officer, data, hostile):
    report = draft_report(officer=officer)
    form = {"version": report.version, "warning_level": "yellow", "assessment": "回款放缓",
            "proposed_risk_group": "", "points-TOTAL_FORMS": "1", "points-INITIAL_FORMS": "0",
            "points-0-category": "finance", "points-0-severity": "warning",
            "points-0-text": "应收账款周转变慢", "measures-TOTAL_FORMS": "1",
            "measures-INITIAL_FORMS": "0", "measures-0-measure": measure("more_visits").pk,
            "measures-0-due_on": "2026-12-31", "measures-0-note": ""}
    for name in hostile:
        form[name] = data.draw(FIELDS[name], label=name)
    before = RiskReport.objects.get(pk=report.pk)
    response = _client(officer).post(reverse("reports:report_edit", kwargs={"pk": report.pk}),
                                     form)
    assert response.status_code in (200, 302, 400)
    event(f"answered {response.status_code}")
    saved = RiskReport.objects.get(pk=report.pk)
    if response.status_code == 302:
        assert saved.assessment == form["assessment"].strip()
        assert saved.warning_level == form["warning_level"]
    else:  # refused: the draft is as it was
        assert (saved.version, saved.assessment, saved.warning_level) == (
            before.version, before.assessment, before.warning_level)


@HYPOTHESIS
@given(decision=st.sampled_from(["approve", "reject", "return", "", "delete", "APPROVE"]),
       comment=HOSTILE_TEXT)
def test_decision(officer, supervisor, decision, comment):
    report = submitted_report(officer=officer)
    response = _client(supervisor).post(
        reverse("reports:report_decide", kwargs={"pk": report.pk}),
        {"decision": decision, "comment": comment})
    assert response.status_code in (200, 302, 400)
    report.refresh_from_db()
    if decision not in ("approve", "reject", "return"):
        assert report.status == RiskReport.Status.SUBMITTED
    elif decision in ("reject", "return") and not comment.strip():
        assert report.status == RiskReport.Status.SUBMITTED  # a refusal needs a reason
    event(f"{decision or 'blank'} → {report.status}")
