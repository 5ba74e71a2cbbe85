"""Hostile and random input to a measure's outcome and its sign-off: a clear error or an exact
save — never a server error, never an outcome half-recorded or a sign-off taken on bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from reports import services
from reports.models import FollowUp
from tests.hostile import HOSTILE_TEXT, HYPOTHESIS

from .factories import measure, submitted_report

pytestmark = pytest.mark.django_db


def _item(officer, supervisor, code: str) -> FollowUp:
    report = submitted_report(officer=officer, measures=[{"measure": measure(code)}])
    services.report_decide(report=report, acting_user=supervisor, decision="approve")
    return FollowUp.objects.get(report=report)


@HYPOTHESIS
@given(outcome=HOSTILE_TEXT)
def test_outcome(officer_client, officer, supervisor, outcome):
    item = _item(officer, supervisor, "more_visits")
    response = officer_client.post(reverse("reports:follow_up_done", kwargs={"pk": item.pk}),
                                   {"outcome": outcome})
    assert response.status_code in (200, 302, 400)
    event(f"answered {response.status_code}")
    item.refresh_from_db()
    if response.status_code == 302:
        assert item.status == FollowUp.Status.DONE and item.outcome == outcome.strip()
    else:
        assert item.status == FollowUp.Status.OPEN and item.done_by is None


@HYPOTHESIS
@given(decision=st.sampled_from(["approve", "return", "", "done", "APPROVE"]),
       comment=HOSTILE_TEXT)
def test_sign_off(officer, supervisor, supervisor_client, decision, comment):
    item = _item(officer, supervisor, "recall")
    services.follow_up_done(item=item, acting_user=officer, outcome="贷款已提前收回")
    response = supervisor_client.post(
        reverse("reports:follow_up_sign_off", kwargs={"pk": item.pk}),
        {"decision": decision, "comment": comment})
    assert response.status_code in (200, 302, 400)
    item.refresh_from_db()
    if decision not in ("approve", "return"):
        assert item.status == FollowUp.Status.AWAITING_SIGN_OFF
    elif decision == "return" and not comment.strip():
        assert item.status == FollowUp.Status.AWAITING_SIGN_OFF  # sending back needs a reason
    event(f"{decision or 'blank'} → {item.status}")
