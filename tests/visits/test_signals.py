"""Every visit signal rule below, at and above its threshold, through the real submit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from customers.models import RiskSignal
from tests.customers.factories import (
    CollateralFactory,
    CustomerFactory,
    IndividualFactory,
    LoanFactory,
)
from visits import services
from visits.models import SignalThreshold, Visit, VisitCollateral

from .factories import ready_visit

pytestmark = pytest.mark.django_db

# On the last day of a common year the annualised revenue equals the revenue to date.
YEAR_END = date(2025, 12, 31)
PREVIOUS = date(2025, 6, 30)


def submit(visit: Visit) -> set[str]:
    services.visit_submit(visit=visit, acting_user=visit.officer)
    return set(RiskSignal.objects.filter(source="visit", source_id=visit.pk)
               .values_list("rule", flat=True))


def pair(customer, before: dict, now: dict, visited_on=YEAR_END) -> set[str]:
    submit(ready_visit(customer=customer, visited_on=PREVIOUS, **before))
    return submit(ready_visit(customer=customer, visited_on=visited_on, **now))


@pytest.fixture
def customer(officer):
    return CustomerFactory(officer=officer)


def test_a_clean_visit_raises_nothing(customer):
    assert submit(ready_visit(customer=customer)) == set()


@pytest.mark.parametrize(("now", "fires"), [(36, False), (35, True), (20, True)],
                         ids=["below", "at", "above"])
def test_headcount_down(customer, now, fires):
    found = pair(customer, {"employees_total": 50}, {"employees_total": now,
                                                     "employees_on_site": now})
    assert ("headcount_down" in found) is fires


@pytest.mark.parametrize(("now", "fires"), [("18000", False), ("17500", True), ("9000", True)],
                         ids=["below", "at", "above"])
def test_income_down_for_an_individual(officer, now, fires):
    person = IndividualFactory(officer=officer)
    found = pair(person, {"monthly_income": Decimal("25000")},
                 {"monthly_income": Decimal(now)})
    assert ("income_down" in found) is fires


@pytest.mark.parametrize(("ytd", "fires"), [("7100000", False), ("7000000", True),
                                            ("5000000", True)], ids=["below", "at", "above"])
def test_revenue_down(customer, ytd, fires):
    visit = ready_visit(customer=customer, visited_on=YEAR_END,
                        revenue_last_year=Decimal("10000000"), revenue_ytd=Decimal(ytd))
    assert ("revenue_down" in submit(visit)) is fires


@pytest.mark.parametrize(("now", "fires"), [("16", False), ("15", True), ("10", True)],
                         ids=["below", "at", "above"])
def test_margin_down(customer, now, fires):
    found = pair(customer, {"gross_margin_pct": Decimal("25")},
                 {"gross_margin_pct": Decimal(now)})
    assert ("margin_down" in found) is fires


@pytest.mark.parametrize(("receivables", "fires"), [("4900000", False), ("5000000", False),
                                                    ("5100000", True)],
                         ids=["below", "at (not over)", "above"])
def test_large_receivables(customer, receivables, fires):
    visit = ready_visit(customer=customer, visited_on=YEAR_END,
                        revenue_last_year=Decimal("10000000"), revenue_ytd=Decimal("10000000"),
                        receivables=Decimal(receivables), receivables_makeup="两家国企客户",
                        collection_cost=Decimal("20000"))
    assert ("large_receivables" in submit(visit)) is fires


@pytest.mark.parametrize(("liabilities", "fires"), [("6900000", False), ("7000000", True),
                                                    ("8000000", True)],
                         ids=["below", "at", "above"])
def test_high_debt_ratio(customer, liabilities, fires):
    visit = ready_visit(customer=customer, total_assets=Decimal("10000000"),
                        total_liabilities=Decimal(liabilities))
    assert ("high_debt_ratio" in submit(visit)) is fires


def _with_collateral(customer, value: str, balance: str = "800000.00") -> Visit:
    item = CollateralFactory(customer=customer, appraised_value=Decimal("2000000.00"))
    loan = LoanFactory(customer=customer, amount=Decimal("2000000.00"),
                       balance=Decimal(balance))
    item.loans.add(loan)
    visit = ready_visit(customer=customer)
    VisitCollateral.objects.create(visit=visit, collateral=item, condition="good",
                                   current_value=Decimal(value))
    return visit


@pytest.mark.parametrize(("value", "fires"), [("1820000", False), ("1800000", True),
                                              ("1500000", True)], ids=["below", "at", "above"])
def test_collateral_value_down(customer, value, fires):
    assert ("collateral_value_down" in submit(_with_collateral(customer, value))) is fires


@pytest.mark.parametrize(("balance", "fires"), [("1000000", False), ("1400000", False),
                                                ("1500000", True)],
                         ids=["below", "at (not over)", "above"])
def test_ltv_over_limit(customer, balance, fires):
    # Collateral worth 2,000,000: a balance of 1,400,000 is exactly 70 %.
    visit = _with_collateral(customer, "2000000", balance=balance)
    assert ("ltv_over_limit" in submit(visit)) is fires


@pytest.mark.parametrize(("days", "fires"), [(0, False), (1, True), (95, True)],
                         ids=["at (none)", "just over", "well over"])
def test_overdue(customer, days, fires):
    LoanFactory(customer=customer, days_past_due=days)
    assert ("overdue" in submit(ready_visit(customer=customer))) is fires


@pytest.mark.parametrize(("rule", "answers"), [
    ("address_changed", {"address_changed": True, "new_address": "北京市昌平区科技园1号"}),
    ("business_changed", {"business_changed": True, "new_business": "房地产中介"}),
    ("funds_diverted", {"loan_use": "diverted", "loan_use_note": "购买理财产品"}),
    ("repayment_pressure_high", {"repayment_pressure": "high"}),
])
def test_answer_rules_fire_on_the_answer_only(officer, rule, answers):
    assert rule in submit(ready_visit(customer=CustomerFactory(officer=officer), **answers))
    assert rule not in submit(ready_visit(customer=CustomerFactory(officer=officer)))


@pytest.mark.parametrize(("threshold", "fires"), [("91", False), ("90.9", True),
                                                  ("90", True)], ids=["below", "at", "above"])
def test_copied_answers(customer, threshold, fires):
    SignalThreshold.objects.filter(rule="copied_answers").update(threshold=Decimal(threshold))
    # Eleven answers compared once monthly_wage is left out; one of them differs: 90.9 %.
    found = pair(customer, {"monthly_wage": None}, {"monthly_wage": None, "employees_total": 49},
                 visited_on=date(2025, 6, 30))
    assert ("copied_answers" in found) is fires


def test_reused_file(customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    first = ready_visit(customer=customer, visited_on=PREVIOUS)
    services.evidence_add(visit=first, acting_user=customer.officer,
                          upload=SimpleUploadedFile("a.png", png), kind="other")
    assert "reused_file" not in submit(first)
    second = ready_visit(customer=customer)
    services.evidence_add(visit=second, acting_user=customer.officer,
                          upload=SimpleUploadedFile("b.png", png), kind="other")
    services.evidence_add(visit=second, acting_user=customer.officer,
                          upload=SimpleUploadedFile("c.png", png + b"new"), kind="other")
    assert "reused_file" in submit(second)
    signal = RiskSignal.objects.get(source_id=second.pk, rule="reused_file")
    assert signal.params["items"] == "b.png"


def test_a_disabled_rule_stays_silent(customer):
    SignalThreshold.objects.filter(rule="high_debt_ratio").update(enabled=False)
    visit = ready_visit(customer=customer, total_liabilities=Decimal("19000000"))
    assert "high_debt_ratio" not in submit(visit)


def test_signal_messages_read_in_both_languages(customer):
    submit(ready_visit(customer=customer, total_liabilities=Decimal("19000000")))
    signal = RiskSignal.objects.get(rule="high_debt_ratio")
    with translation.override("en"):
        assert signal.message == "The debt ratio is 95.0 %."
    with translation.override("zh-hans"):
        assert "95.0" in signal.message and "资产负债率" in signal.message
