"""Two deciders at the same moment, on the real database: exactly one decision wins."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from reports import services
from reports.models import FollowUp, ReportTransition, RiskReport

from .factories import measure, submitted_report


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_decisions_at_once_one_wins(officer, supervisor, admin_user):
    report = submitted_report(officer=officer, measures=[{"measure": measure("more_visits")}])
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(user, decision: str) -> None:
        try:
            barrier.wait()
            services.report_decide(report=RiskReport.objects.get(pk=report.pk),
                                   acting_user=user, decision=decision, comment="意见")
            outcomes[str(user)] = "won"
        except ValidationError as error:
            outcomes[str(user)] = error.messages[0]
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(supervisor, "approve")),
               threading.Thread(target=decide, args=(admin_user, "reject"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [name for name, outcome in outcomes.items() if outcome == "won"]
    assert len(winners) == 1, outcomes
    loser = next(name for name in outcomes if name not in winners)
    assert winners[0] in outcomes[loser]  # the loser is told who decided
    report.refresh_from_db()
    assert report.status == ("approved" if winners == [str(supervisor)] else "rejected")
    assert ReportTransition.objects.filter(
        report=report, action__in=["approved", "rejected"]).count() == 1
    assert FollowUp.objects.count() == (1 if report.status == "approved" else 0)
