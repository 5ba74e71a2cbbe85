from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from tests.customers.factories import CustomerFactory
from visits.briefing import briefing_items, loans_awaiting_first_check
from visits.models import BriefingAnswer, Interview, Visit, VisitLoanUse
from visits.selectors import previous_visit


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    customer = factory.SubFactory(CustomerFactory)
    officer = factory.LazyAttribute(lambda v: v.customer.officer)
    visited_on = date(2026, 6, 30)
    method = Visit.Method.ON_SITE


def complete_answers(**overrides) -> dict:
    """Answers that submit cleanly and raise no signal for a corporate customer."""
    data = {
        "address_changed": False, "business_changed": False, "employees_total": 50,
        "employees_on_site": 42, "monthly_wage": Decimal("6500.00"), "wages_on_time": True,
        "liquid_funds": Decimal("800000.00"), "receivables": Decimal("1000000.00"),
        "payables": Decimal("600000.00"), "inventory": Decimal("900000.00"),
        "revenue_last_year": Decimal("12000000.00"), "revenue_ytd": Decimal("6000000.00"),
        "gross_margin_pct": Decimal("22.50"), "loan_use": Visit.LoanUse.AS_DECLARED,
        "total_assets": Decimal("20000000.00"), "total_liabilities": Decimal("9000000.00"),
        "repayment_source": "经营收入", "repayment_pressure": Visit.Pressure.LOW,
        "repayment_source_kind": Visit.RepaymentSourceKind.OPERATING,
    }
    data.update(overrides)
    return data


INDIVIDUAL_ANSWERS = {
    "address_changed": False, "business_changed": False, "monthly_income": Decimal("25000.00"),
    "income_stable": True, "household_assets": Decimal("3000000.00"),
    "liquid_funds": Decimal("200000.00"), "revenue_last_year": Decimal("300000.00"),
    "revenue_ytd": Decimal("150000.00"), "loan_use": "as_declared",
    "total_assets": Decimal("3500000.00"), "total_liabilities": Decimal("900000.00"),
    "repayment_source": "工资收入", "repayment_pressure": "low",
    "repayment_source_kind": "operating_cash_flow",
}


def answer_briefing(visit: Visit, text: str = "问过了，情况正常") -> list[BriefingAnswer]:
    """Answer every item of the visit's briefing as it stands, and the use of funds of every
    loan awaiting its first check."""
    items = briefing_items(customer=visit.customer, previous=previous_visit(visit=visit))
    answers = [BriefingAnswer.objects.update_or_create(
        visit=visit, source=item.source, source_id=item.source_id,
        defaults={"title": item.title[:300], "answer": text})[0] for item in items]
    for loan in loans_awaiting_first_check(customer=visit.customer, on=visit.visited_on,
                                           exclude_visit_ids=[visit.pk]):
        VisitLoanUse.objects.update_or_create(visit=visit, loan=loan,
                                              defaults={"use": Visit.LoanUse.AS_DECLARED})
    return answers


def ready_visit(*, customer, visited_on=date(2026, 6, 30), briefed: bool = True,
                **answers) -> Visit:
    """A draft with every answer a submit needs (plus `answers`), and one person interviewed;
    `briefed`: its briefing as it stands now answered too."""
    data = INDIVIDUAL_ANSWERS | answers if not customer.is_corporate else complete_answers(
        **answers)
    visit = VisitFactory(customer=customer, visited_on=visited_on, **data)
    Interview.objects.create(visit=visit, role=Interview.Role.FINANCE_HEAD, name="王会计",
                             statement="回款正常", topics=[3, 5])
    if briefed:
        answer_briefing(visit)
    return visit
