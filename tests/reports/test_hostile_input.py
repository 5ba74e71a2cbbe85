"""Hostile and random input to the report form and the decision: a clear error or an exact save
— never a server error, never a half-written report or a decision taken on bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from loanwatch.core.forms import FORMSET_ROWS_MAX as ROWS_MAX
from reports import selectors, services
from reports.models import RiskReport
from tests.hostile import HOSTILE_DATE, HOSTILE_NUMBER, HOSTILE_TEXT, HYPOTHESIS, some_fields

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


@HYPOTHESIS
@given(hostile=some_fields(FIELDS))
def test_report_form(officer_client, officer, hostile):
    report = draft_report(officer=officer)
    form = {"version": report.version, "warning_level": "yellow", "assessment": "回款放缓",
            "proposed_risk_group": "", "points-TOTAL_FORMS": "1", "points-INITIAL_FORMS": "0",
            "points-0-category": "finance", "points-0-severity": "warning",
            "points-0-text": "应收账款周转变慢", "measures-TOTAL_FORMS": "1",
            "measures-INITIAL_FORMS": "0", "measures-0-measure": measure("more_visits").pk,
            "measures-0-due_on": "2026-12-31", "measures-0-note": ""}
    form.update(hostile)
    before = RiskReport.objects.get(pk=report.pk)
    response = officer_client.post(reverse("reports:report_edit", kwargs={"pk": report.pk}),
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
def test_decision(officer, supervisor_client, decision, comment):
    report = submitted_report(officer=officer)
    response = supervisor_client.post(
        reverse("reports:report_decide", kwargs={"pk": report.pk}),
        {"decision": decision, "comment": comment})
    assert response.status_code in (200, 302, 400)
    report.refresh_from_db()
    if decision not in ("approve", "reject", "return"):
        assert report.status == RiskReport.Status.SUBMITTED
    elif decision in ("reject", "return") and not comment.strip():
        assert report.status == RiskReport.Status.SUBMITTED  # a refusal needs a reason
    event(f"{decision or 'blank'} → {report.status}")


def test_a_million_rows_are_refused_without_building_them(officer_client, officer):
    report = draft_report(officer=officer)
    response = officer_client.post(
        reverse("reports:report_edit", kwargs={"pk": report.pk}),
        {"version": report.version, "warning_level": "red", "assessment": "x",
         "points-TOTAL_FORMS": "1000000", "points-INITIAL_FORMS": "0",
         "measures-TOTAL_FORMS": "1000000", "measures-INITIAL_FORMS": "0"})
    assert response.status_code == 200
    assert len(response.context["points"].forms) <= ROWS_MAX
    assert len(response.context["measures"].forms) <= ROWS_MAX
    assert not response.context["points"].is_valid()
    assert RiskReport.objects.get(pk=report.pk).warning_level == report.warning_level


@HYPOTHESIS
@given(assessment=HOSTILE_TEXT,
       extra=some_fields({"warning_level": st.sampled_from(["red", "purple", ""]),
                          "proposed_risk_group": HOSTILE_NUMBER,
                          "submit": st.sampled_from(["1", ""])}, min_size=0))
def test_release_form(officer_client, officer, supervisor, assessment, extra):
    report = submitted_report(officer=officer, warning_level="yellow")
    services.report_decide(report=report, acting_user=supervisor, decision="approve")
    url = reverse("reports:release_start", kwargs={"customer_pk": report.customer_id})
    response = officer_client.post(url, {"assessment": assessment, **extra})
    assert response.status_code in (200, 302, 400)
    release = RiskReport.objects.filter(customer=report.customer_id, kind="release").first()
    if response.status_code == 302:
        assert release is not None and release.assessment == assessment.strip()
        assert release.warning_level == "none" and release.proposed_risk_group_id is None
    else:
        assert release is None
    event(f"answered {response.status_code}")


@HYPOTHESIS
@given(levels=st.lists(st.one_of(st.sampled_from(["blue", "red", "none", "purple", ""]),
                                 HOSTILE_TEXT), max_size=4))
def test_warning_approvals_form(admin_client_, levels):
    before = selectors.two_approval_levels()
    response = admin_client_.post(reverse("reports:warning_approvals"), {"levels": levels})
    assert response.status_code in (200, 302, 400)
    after = selectors.two_approval_levels()
    if response.status_code == 302:
        assert after == [v for v in ("blue", "yellow", "orange", "red") if v in levels]
    else:
        assert after == before
    event(f"answered {response.status_code}")
