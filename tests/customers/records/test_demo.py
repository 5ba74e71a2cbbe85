from __future__ import annotations

import pytest

from customers.records.models import Finding, RecordCheck
from loanwatch.devtools import demo
from visits.schedule.models import RevisitTask

pytestmark = pytest.mark.django_db


def test_demo_checks_find_the_steel_traders_new_case_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo.load()
    checks = RecordCheck.objects.count()
    demo.load()
    assert RecordCheck.objects.count() == checks > 4
    finding = Finding.objects.get(kind="new_case")
    assert finding.record_check.customer.name == "北京金盛钢材贸易有限公司"
    assert RevisitTask.objects.filter(reason="record_finding",
                                      customer=finding.record_check.customer).count() == 1
