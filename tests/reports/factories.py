from __future__ import annotations

from datetime import date

from django.utils import timezone

from reports import services
from reports.models import Measure, RiskReport
from tests.customers.factories import CustomerFactory
from tests.visits.factories import VisitFactory
from visits.models import Visit


def submitted_visit(*, customer, visited_on: date = date(2026, 6, 30)) -> Visit:
    return VisitFactory(customer=customer, visited_on=visited_on,
                        status=Visit.Status.SUBMITTED, submitted_at=timezone.now(),
                        submitted_by=customer.officer)


def draft_report(*, officer, customer=None, **data) -> RiskReport:
    customer = customer or CustomerFactory(officer=officer)
    report = services.report_start(customer=customer, acting_user=officer,
                                   visit=submitted_visit(customer=customer))
    data.setdefault("assessment", "经营下滑，需加强监控")
    measures = data.pop("measures", [])
    classifications = data.pop("classifications", {})
    points = data.pop("points", [{"category": "finance", "severity": "serious",
                                  "text": "应收账款大幅增加"}])
    return services.report_save(report=report, acting_user=officer, data=data, points=points,
                                measures=measures, classifications=classifications)


def submitted_report(*, officer, customer=None, **data) -> RiskReport:
    report = draft_report(officer=officer, customer=customer, **data)
    return services.report_submit(report=report, acting_user=officer)


def measure(code: str = "more_visits") -> Measure:
    return Measure.objects.get(code=code)
