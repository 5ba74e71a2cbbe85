"""Rows of the project's access matrix (tests/access_matrix.py) for the reports app.

Reports are read by everyone who may see the customer; only the author edits a draft; only a
supervisor of the customer's team or an admin decides.
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from reports import services
from reports.models import FollowUp
from tests.access_matrix import LOGIN, Row, only, scoped
from tests.customers.factories import CustomerFactory

from .factories import draft_report, measure, submitted_report, submitted_visit


def _customer(p: dict) -> dict:
    return {"customer_pk": CustomerFactory(officer=p["officer"]).pk}


def _visit(p: dict) -> dict:
    return {"visit_pk": submitted_visit(customer=CustomerFactory(officer=p["officer"])).pk}


def _draft(p: dict) -> dict:
    return {"pk": draft_report(officer=p["officer"]).pk}


def _submitted(p: dict) -> dict:
    return {"pk": submitted_report(officer=p["officer"]).pk}


def _warned(p: dict) -> dict:
    """A customer with a standing warning: its release may be proposed."""
    customer = CustomerFactory(officer=p["officer"])
    report = submitted_report(officer=p["officer"], customer=customer, warning_level="yellow")
    services.report_decide(report=report, acting_user=p["supervisor"], decision="approve")
    return {"customer_pk": customer.pk}


def _follow_up(p: dict, **fields) -> dict:
    report = submitted_report(officer=p["officer"])
    return {"pk": FollowUp.objects.create(report=report, customer=report.customer,
                                          measure=measure(), owner=p["officer"],
                                          due_on=datetime.date(2026, 12, 31), **fields).pk}


def _awaiting_sign_off(p: dict) -> dict:
    return _follow_up(p, status=FollowUp.Status.AWAITING_SIGN_OFF, outcome="已追加担保",
                      done_by=p["officer"], done_at=timezone.now())


def _with_evidence(p: dict) -> dict:
    kwargs = _follow_up(p, status=FollowUp.Status.DONE, outcome="已增加回访",
                        done_by=p["officer"], done_at=timezone.now())
    item = FollowUp.objects.get(pk=kwargs["pk"])
    item.evidence.save("evidence", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    item.evidence_name, item.evidence_type = "回访记录.pdf", "application/pdf"
    item.save()
    return kwargs


AUTHOR_ONLY = {"anon": LOGIN, "officer": 200, "officer_b": 404, "supervisor": 403,
               "supervisor_b": 404, "admin": 403}
# The supervisor returns the report; the admin, asking next, finds it no longer awaiting a
# decision and is sent back to the page with that message.
DECIDERS = {"anon": LOGIN, "officer": 403, "officer_b": 404, "supervisor": 302,
            "supervisor_b": 404, "admin": 302}


def _officer(p: dict) -> dict:
    return {"officer_pk": p["officer"].pk, "figure": "revisits"}


# Supervisors and admins coach officers; another team's officer is not shown to exist.
COACHES = {"anon": LOGIN, "officer": 403, "officer_b": 403, "supervisor": 200,
           "supervisor_b": 404, "admin": 200}


def _measure(p: dict) -> dict:
    return {"pk": measure().pk}


REPORT_ROWS = [
    Row("reports:measure_list", only({"admin"})),
    Row("reports:measure_edit", only({"admin"}), build=_measure),
    Row("reports:report_queue", only({"supervisor", "supervisor_b", "admin"})),
    Row("reports:report_start", scoped(), build=_customer),
    Row("reports:report_start_from_visit", scoped(), build=_visit),
    Row("reports:release_start", scoped(), build=_warned),
    Row("reports:warning_approvals", only({"admin"})),
    Row("reports:quality_list", only({"supervisor", "supervisor_b", "admin"})),
    Row("reports:quality_detail", COACHES, build=_officer),
    Row("reports:report_detail", scoped(), build=_draft),
    Row("reports:report_edit", AUTHOR_ONLY, build=_draft),
    Row("reports:report_decide", DECIDERS, method="post", build=_submitted,
        data={"decision": "return", "comment": "请补充现金流分析"}),
    Row("reports:report_pdf", scoped(), build=_submitted),
    # The owner, the team's supervisor and an admin record an outcome (the form).
    Row("reports:follow_up_done", scoped(), build=_follow_up),
    # The item's page is open to whoever sees the customer; the sign-off on it is tested in
    # tests/reports/test_follow_ups.py.
    Row("reports:follow_up_sign_off", scoped(), build=_awaiting_sign_off),
    Row("reports:follow_up_evidence", scoped(), build=_with_evidence),
]
