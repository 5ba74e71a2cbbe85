from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from customers.models import (
    Collateral,
    CollateralValuation,
    Customer,
    Guarantee,
    Industry,
    Loan,
    RiskGroup,
)
from customers.validators import resident_id_check_character, uscc_check_character
from tests.factories import UserFactory

USCC_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(n: int) -> str:
    digits = ""
    for _ in range(9):
        n, r = divmod(n, 31)
        digits = USCC_BODY[r] + digits
    first17 = "91110108" + digits
    return first17 + uscc_check_character(first17)


def resident_id(n: int) -> str:
    first17 = f"1101{(n // 1000) % 100:02d}19850312{n % 1000:03d}"
    return first17 + resident_id_check_character(first17)


class IndustryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Industry
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"I{n:03d}")
    name = factory.Sequence(lambda n: f"行业{n}")
    name_en = factory.Sequence(lambda n: f"Industry {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    kind = Customer.Kind.CORPORATE
    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    identifier = factory.Sequence(lambda n: uscc(n + 1))
    officer = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda c: c.officer.team)
    risk_group = factory.LazyFunction(lambda: RiskGroup.objects.get(code="normal"))
    industry = factory.SubFactory(IndustryFactory)


class IndividualFactory(CustomerFactory):
    kind = Customer.Kind.INDIVIDUAL
    name = factory.Sequence(lambda n: f"个人客户{n}")
    identifier = factory.Sequence(lambda n: resident_id(n + 1))
    industry = None


class LoanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Loan

    customer = factory.SubFactory(CustomerFactory)
    contract_number = factory.Sequence(lambda n: f"HT-2025-{n:05d}")
    amount = Decimal("1000000.00")
    balance = Decimal("800000.00")
    disbursed_on = date(2025, 1, 15)
    matures_on = date(2027, 1, 15)
    purpose = "流动资金周转"
    repayment_method = "interest_only"
    guarantee_types = factory.LazyFunction(lambda: ["guaranteed"])


class CollateralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collateral

    customer = factory.SubFactory(CustomerFactory)
    kind = Collateral.Kind.REAL_ESTATE
    description = factory.Sequence(lambda n: f"厂房{n}")
    appraised_value = Decimal("2000000.00")
    appraised_on = date(2025, 1, 10)


class ValuationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollateralValuation

    collateral = factory.SubFactory(CollateralFactory)
    valued_on = date(2025, 6, 1)
    value = Decimal("1600000.00")
    source = CollateralValuation.Source.VISIT
    recorded_by = factory.LazyAttribute(lambda v: v.collateral.customer.officer)


class GuaranteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guarantee

    loan = factory.SubFactory(LoanFactory)
    guarantor_customer = factory.SubFactory(CustomerFactory)
    amount = Decimal("500000.00")


def guarantees(guarantor: Customer, borrower: Customer) -> Guarantee:
    """guarantor → borrower: the guarantor backs a (new) loan of the borrower."""
    return GuaranteeFactory(loan=LoanFactory(customer=borrower), guarantor_customer=guarantor)
