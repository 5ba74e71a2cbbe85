from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from customers import diagram, selectors, services
from customers.models import (
    Classification,
    ClassificationFloor,
    Customer,
    CustomerAssignment,
    CustomerRelation,
    Industry,
    Loan,
    RiskGroup,
)
from customers.risk_state import risk_state_apply
from loanwatch.devtools import demo
from tests.factories import UserFactory

from .factories import (
    CollateralFactory,
    CustomerFactory,
    LoanFactory,
    ValuationFactory,
    guarantees,
    resident_id,
    uscc,
)

pytestmark = pytest.mark.django_db


def loan_data(**overrides):
    data = {"contract_number": "HT-X-1", "amount": Decimal("100"), "balance": Decimal("50"),
            "disbursed_on": date(2025, 1, 1), "matures_on": date(2026, 1, 1),
            "purpose": "购买原材料", "repayment_method": "bullet", "repayment_source": "",
            "guarantee_types": ["unsecured"], "days_past_due": 0,
            "classification": Classification.PASS}
    return {**data, **overrides}


# --- classification floor ---------------------------------------------------------------------


@pytest.mark.parametrize(("days", "floor"), [
    (0, "pass"), (1, "special_mention"), (90, "special_mention"), (91, "substandard"),
    (270, "substandard"), (271, "doubtful"), (361, "loss")])
def test_default_floors_follow_the_2023_rules(days, floor):
    assert selectors.classification_floor(days_past_due=days) == floor


def test_classification_below_the_floor_is_refused_with_the_reason(officer):
    customer = CustomerFactory(officer=officer)
    with pytest.raises(ValidationError) as err:
        services.loan_create(customer=customer, acting_user=officer,
                             data=loan_data(days_past_due=95, classification="special_mention"))
    assert "95" in err.value.message_dict["classification"][0]
    assert not Loan.objects.exists()
    loan = services.loan_create(customer=customer, acting_user=officer,
                                data=loan_data(days_past_due=95, classification="doubtful"))
    assert loan.classification == "doubtful"  # worse than the floor is allowed


def test_an_admin_edited_floor_applies(officer):
    ClassificationFloor.objects.filter(days_past_due_over=0).update(days_past_due_over=30)
    customer = CustomerFactory(officer=officer)
    loan = services.loan_create(customer=customer, acting_user=officer,
                                data=loan_data(days_past_due=20))
    assert loan.classification == "pass"


def test_balance_and_dates_are_checked(officer):
    customer = CustomerFactory(officer=officer)
    with pytest.raises(ValidationError) as err:
        services.loan_create(customer=customer, acting_user=officer, data=loan_data(
            balance=Decimal("101"), matures_on=date(2024, 1, 1)))
    assert set(err.value.message_dict) == {"balance", "matures_on"}


def test_customer_status_follows_outstanding_loans(officer):
    customer = CustomerFactory(officer=officer)
    loan = services.loan_create(customer=customer, acting_user=officer, data=loan_data())
    risk_state_apply(customer=customer, acting_user=None, source="feed", source_id=None,
                     loans={loan.pk: {"balance": Decimal("0")}})
    customer.refresh_from_db()
    assert customer.status == Customer.Status.CLOSED


# --- customers --------------------------------------------------------------------------------


def customer_data(officer, **overrides):
    return {"kind": "corporate", "name": "北京星河机械有限公司", "identifier": uscc(4242),
            "risk_group": RiskGroup.objects.get(code="normal"), "officer": officer, **overrides}


def test_officer_creates_own_customer_in_own_team(officer, officer_b):
    customer = services.customer_create(acting_user=officer, data=customer_data(officer_b))
    assert customer.officer == officer and customer.team == officer.team


def test_wrong_identifier_is_refused(officer):
    with pytest.raises(ValidationError) as err:
        services.customer_create(acting_user=officer, data=customer_data(
            officer, identifier=uscc(4242)[:17] + "0" if uscc(4242)[-1] != "0" else "1"))
    assert "identifier" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.customer_create(acting_user=officer, data=customer_data(
            officer, kind="individual", identifier=uscc(4242)))
    services.customer_create(acting_user=officer, data=customer_data(
        officer, kind="individual", identifier=resident_id(7)))


def test_a_negative_registered_capital_is_refused(officer):
    with pytest.raises(ValidationError) as err:
        services.customer_create(acting_user=officer, data=customer_data(
            officer, registered_capital=Decimal("-1")))
    assert list(err.value.message_dict) == ["registered_capital"]
    assert not Customer.objects.exists()
    customer = services.customer_create(acting_user=officer, data=customer_data(
        officer, registered_capital=Decimal("0")))
    with pytest.raises(ValidationError) as err:
        services.customer_update(customer=customer, acting_user=officer, data=customer_data(
            officer, registered_capital=Decimal("-0.01")))
    assert list(err.value.message_dict) == ["registered_capital"]


def test_what_the_fields_refuse_is_refused_before_the_database(officer):
    with pytest.raises(ValidationError) as err:
        services.customer_create(acting_user=officer, data=customer_data(
            officer, name="名" * 201, phone="1" * 40, address="地\x00址"))
    assert sorted(err.value.message_dict) == ["address", "name", "phone"]


@pytest.mark.parametrize(("field", "value"), [("appraised_value", Decimal("-1")),
                                              ("area_m2", Decimal("-0.5"))])
def test_negative_collateral_figures_are_refused(officer, field, value):
    customer = CustomerFactory(officer=officer)
    data = {"kind": "real_estate", "description": "厂房", "location": "", "area_m2": None,
            "certificate_number": "", "appraised_value": Decimal("1000000"),
            "appraised_on": date(2025, 1, 1), field: value}
    with pytest.raises(ValidationError) as err:
        services.collateral_create(customer=customer, acting_user=officer, data=data)
    assert list(err.value.message_dict) == [field]
    assert not customer.collaterals.exists()


def test_a_guarantee_of_a_negative_amount_is_refused(officer):
    loan = LoanFactory(customer=CustomerFactory(officer=officer))
    with pytest.raises(ValidationError) as err:
        services.guarantee_create(loan=loan, acting_user=officer, amount=Decimal("-5"),
                                  guarantor_name="外部担保公司")
    assert list(err.value.message_dict) == ["amount"]


def test_duplicate_names_the_existing_customer_only_when_visible(officer, officer_b):
    CustomerFactory(officer=officer, name="星河机械", identifier=uscc(4242))
    with pytest.raises(ValidationError) as err:
        services.customer_create(acting_user=officer, data=customer_data(officer))
    assert "星河机械" in err.value.message_dict["identifier"][0]
    with pytest.raises(ValidationError) as err:
        services.customer_create(acting_user=officer_b, data=customer_data(officer_b))
    assert "星河机械" not in err.value.message_dict["identifier"][0]


def test_supervisor_reassigns_within_team_and_it_is_recorded(officer, supervisor, officer_b):
    colleague = UserFactory(team=officer.team, role="officer")
    customers = CustomerFactory.create_batch(3, officer=officer)
    moved = services.customer_reassign(customer_ids=[c.pk for c in customers],
                                       to_officer=colleague, acting_user=supervisor,
                                       note="调岗")
    assert moved == 3
    assert set(Customer.objects.values_list("officer", flat=True)) == {colleague.pk}
    assert CustomerAssignment.objects.filter(by=supervisor, note="调岗").count() == 3
    with pytest.raises(ValidationError):
        services.customer_reassign(customer_ids=[customers[0].pk], to_officer=officer_b,
                                   acting_user=supervisor)


def test_reassign_ignores_customers_outside_scope(officer, supervisor_b, officer_b):
    customer = CustomerFactory(officer=officer)
    assert services.customer_reassign(customer_ids=[customer.pk], to_officer=officer_b,
                                      acting_user=supervisor_b) == 0
    customer.refresh_from_db()
    assert customer.officer == officer


def test_stakes_cannot_exceed_100_percent(officer):
    customer = CustomerFactory(officer=officer)
    services.relation_add(customer=customer, acting_user=officer, name="张三",
                          role="shareholder", stake_pct=Decimal("60"))
    with pytest.raises(ValidationError) as err:
        services.relation_add(customer=customer, acting_user=officer, name="李四",
                              role="shareholder", stake_pct=Decimal("40.01"))
    assert "stake_pct" in err.value.message_dict


def test_one_person_behind_two_companies(officer):
    first, second = CustomerFactory.create_batch(2, officer=officer)
    for customer in (first, second):
        services.relation_add(customer=customer, acting_user=officer, name="王五",
                              id_number=resident_id(99), role="actual_controller")
    relations = CustomerRelation.objects.all()
    assert relations.count() == 2 and len({r.person_id for r in relations}) == 1


# --- scope ------------------------------------------------------------------------------------


def test_scope_per_role(officer, officer_b, supervisor, supervisor_b, admin_user):
    mine = CustomerFactory(officer=officer)
    theirs = CustomerFactory(officer=officer_b)
    assert list(selectors.customer_list_for_user(user=officer)) == [mine]
    assert list(selectors.customer_list_for_user(user=supervisor)) == [mine]
    assert list(selectors.customer_list_for_user(user=supervisor_b)) == [theirs]
    assert selectors.customer_list_for_user(user=admin_user).count() == 2
    with pytest.raises(Http404):
        selectors.customer_get_for_user(user=officer, pk=theirs.pk)


def test_search_finds_contract_numbers(officer):
    LoanFactory(customer=CustomerFactory(officer=officer), contract_number="HT-FIND-ME")
    CustomerFactory(officer=officer)
    assert selectors.customer_list_for_user(user=officer, search="find-me").count() == 1


# --- guarantee circles ------------------------------------------------------------------------


def test_circle_of_a_chain(officer):
    a, b, c, d = CustomerFactory.create_batch(4, officer=officer)
    guarantees(a, b)
    guarantees(b, c)
    guarantees(d, c)
    for member in (a, b, c, d):
        circle = selectors.guarantee_circle_ids(customer_id=member.pk)
        assert circle.member_ids == {a.pk, b.pk, c.pk, d.pk}
        assert not circle.has_mutual_guarantee


def test_circle_with_a_mutual_guarantee_marks_the_cycle(officer):
    a, b, c, outside = CustomerFactory.create_batch(4, officer=officer)
    guarantees(a, b)
    guarantees(b, c)
    guarantees(c, a)  # a → b → c → a: 互保
    guarantees(outside, a)  # backs a but is not on the cycle
    circle = selectors.guarantee_circle_ids(customer_id=b.pk)
    assert circle.member_ids == {a.pk, b.pk, c.pk, outside.pk}
    assert circle.cycle_ids == {a.pk, b.pk, c.pk}
    assert (outside.pk, a.pk, False) in circle.edges


def test_two_customers_guaranteeing_each_other(officer):
    a, b = CustomerFactory.create_batch(2, officer=officer)
    guarantees(a, b)
    guarantees(b, a)
    assert selectors.guarantee_circle_ids(customer_id=a.pk).cycle_ids == {a.pk, b.pk}


def test_disconnected_customers_are_not_in_the_circle(officer):
    a, b, c, d, lonely = CustomerFactory.create_batch(5, officer=officer)
    guarantees(a, b)
    guarantees(c, d)
    assert selectors.guarantee_circle_ids(customer_id=a.pk).member_ids == {a.pk, b.pk}
    circle = selectors.guarantee_circle_ids(customer_id=lonely.pk)
    assert circle.member_ids == {lonely.pk} and circle.edges == []


# --- collateral -------------------------------------------------------------------------------


def test_loan_to_value_uses_the_latest_valuation(officer):
    customer = CustomerFactory(officer=officer)
    loan = LoanFactory(customer=customer, balance=Decimal("800000"))
    collateral = CollateralFactory(customer=customer)
    collateral.loans.add(loan)
    ValuationFactory(collateral=collateral, value=Decimal("1600000"), valued_on=date(2025, 6, 1))
    loan = selectors.customer_get_for_user(user=officer, pk=customer.pk,
                                           for_sheet=True).loans.all()[0]
    assert selectors.loan_to_value(loan=loan) == Decimal("50.0")


# --- demo data --------------------------------------------------------------------------------


def test_demo_data_is_valid_idempotent_and_has_a_mutual_guarantee():
    users = demo.load()
    counts = (Customer.objects.count(), Loan.objects.count())
    demo.load()
    assert (Customer.objects.count(), Loan.objects.count()) == counts
    for customer in Customer.objects.all():
        services.customer_validate(
            data={"kind": customer.kind, "identifier": customer.identifier},
            acting_user=users["admin"], instance=customer)
    for loan in Loan.objects.all():
        services.loan_validate(data={"days_past_due": loan.days_past_due,
                                     "classification": loan.classification}, instance=loan)
    for name in ("officer1", "officer2", "officer3", "officer4"):
        kinds = set(Customer.objects.filter(officer=users[name]).values_list("kind", flat=True))
        assert kinds == {"corporate", "individual"}
    bj1 = Customer.objects.get(name="北京华信精密机械有限公司")
    assert selectors.guarantee_circle_ids(customer_id=bj1.pk).has_mutual_guarantee


# --- reference data ---------------------------------------------------------------------------


def test_admin_edits_floors_through_the_page(admin_client_):
    data = {"form-TOTAL_FORMS": "3", "form-INITIAL_FORMS": "0",
            "form-0-days_past_due_over": "30", "form-0-minimum": "special_mention",
            "form-1-days_past_due_over": "60", "form-1-minimum": "pass",  # better: refused
            "form-2-days_past_due_over": "", "form-2-minimum": ""}
    response = admin_client_.post(reverse("customers:classification_floors"), data,
                                  HTTP_ACCEPT_LANGUAGE="en")
    assert "cannot allow a better classification" in response.content.decode()
    assert ClassificationFloor.objects.count() == 4
    data["form-1-minimum"] = "loss"
    response = admin_client_.post(reverse("customers:classification_floors"), data)
    assert response.status_code == 302
    assert list(ClassificationFloor.objects.values_list("days_past_due_over", "minimum")) == [
        (30, "special_mention"), (60, "loss")]
    assert selectors.classification_floor(days_past_due=61) == "loss"


def test_admin_adds_a_high_risk_industry(admin_client_):
    admin_client_.post(reverse("customers:industry_list"),
                       {"code": "k70", "name": "房地产业", "name_en": "Real estate",
                        "high_risk": "on"})
    assert Industry.objects.get(code="K70").high_risk


def test_an_officer_without_a_team_cannot_hold_customers(db):
    loner = UserFactory(team=None, role="officer")
    with pytest.raises(ValidationError) as err:
        services.customer_create(acting_user=loner, data=customer_data(loner))
    assert "officer" in err.value.message_dict


def test_circle_diagram_marks_the_cycle_and_gives_up_on_huge_circles(officer):
    a, b, c = CustomerFactory.create_batch(3, officer=officer)
    guarantees(a, b)
    guarantees(b, a)
    guarantees(c, a)
    circle = selectors.guarantee_circle_for_user(user=officer, customer=a)
    layout = diagram.circle_svg(circle=circle, centre_id=a.pk)
    assert [n.centre for n in layout.nodes] == [True, False, False]
    assert sorted(e.on_cycle for e in layout.edges) == [False, True, True]
    circle.members = circle.members * 10  # 30 > MAX_NODES
    assert diagram.circle_svg(circle=circle, centre_id=a.pk) is None
