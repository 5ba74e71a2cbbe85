from __future__ import annotations

import pytest

from customers.models import RiskSignal
from customers.records.models import Finding, RecordCheck, RecordEntry, RelatedFinding
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


def test_the_demo_shows_each_kind_of_record_and_a_finding_spreading_across_teams(settings,
                                                                                 tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo.load()
    kinds = set(RecordEntry.objects.values_list("kind", flat=True))
    assert kinds >= {"enforcement", "lawsuit", "equity_freeze", "asset_freeze", "penalty",
                     "tax_arrears"}
    found = set(Finding.objects.values_list("kind", flat=True))
    assert found >= {"new_case", "lawsuit_new", "freeze_new", "penalty_new", "tax_arrears_new",
                     "tax_abnormal", "legal_rep_changed", "shareholders_changed",
                     "capital_reduced", "address_changed", "scope_changed"}
    # 陈国华's frozen equity reaches the Shanghai hardware wholesaler, another team's customer.
    reached = RelatedFinding.objects.get(customer__name="上海宏达五金批发有限公司")
    assert reached.party_name == "陈国华"
    assert reached.customer.team_id != reached.finding.record_check.customer.team_id
    assert RiskSignal.objects.filter(customer=reached.customer, source="related_party").exists()
    # The outside guarantor and the company the individual borrower runs are checked.
    assert RecordCheck.objects.filter(person__name="北京中关村科技融资担保有限公司").exists()
    assert Finding.objects.get(kind="tax_abnormal").record_check.person.name == (
        "北京志强汽车维修服务有限公司")
    related = RelatedFinding.objects.filter(direct=False).count()
    demo.load()
    assert RelatedFinding.objects.filter(direct=False).count() == related
