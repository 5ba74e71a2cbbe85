"""A task note the system writes reads in the reader's language, whoever's request raised it."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from customers.records import services as record_services
from reports import services as report_services
from tests.customers.records.helpers import company_with_controller, reading, subject
from tests.reports.factories import submitted_report
from visits.schedule.models import RevisitTask

pytestmark = pytest.mark.django_db


def test_a_record_findings_task_note_reads_in_each_language(officer):
    customer, _person = company_with_controller(officer)
    for data in (reading(date(2026, 9, 1)), reading(date(2026, 10, 1), "（2026）京0108执9号")):
        with translation.override("en"):  # an English-speaking officer's import
            record_services.check_record(subject=subject(customer), data=data,
                                         source="manual", acting_user=officer)
    task = RevisitTask.objects.get(customer=customer)
    with translation.override("zh-hans"):
        chinese = task.note_text
    with translation.override("en"):
        english = task.note_text
    assert "（2026）京0108执9号" in chinese and "（2026）京0108执9号" in english
    assert chinese != english


def test_a_red_warnings_task_note_reads_in_each_language(officer, supervisor, admin_user):
    report = submitted_report(officer=officer, warning_level="red")
    with translation.override("en"):  # red needs two approvals: the supervisor, then an admin
        for decider in (supervisor, admin_user):
            report_services.report_decide(report=report, acting_user=decider,
                                          decision="approve")
    task = RevisitTask.objects.get(customer=report.customer, reason="manual")
    with translation.override("zh-hans"):
        assert task.note_text == f"风险报告 {report.pk} 发出红色预警"
    with translation.override("en"):
        assert task.note_text == f"Red warning in risk report {report.pk}"
