"""Trouble spreads through people: a serious finding about a party reaches every customer the
party is linked to, across teams, once per fact, and tells each officer only about their own
customer."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from customers import services as customer_services
from customers.models import CustomerRelation, Person, RiskSignal
from customers.records import services, spread
from customers.records.models import RecordPolicy, RelatedFinding
from customers.records.providers import CheckData, EntryData, Subject
from customers.records.selectors import subjects_for
from loanwatch.core.models import Notification
from loanwatch.core.notifications import render
from tests.customers.factories import (
    CustomerFactory,
    IndividualFactory,
    LoanFactory,
    resident_id,
    uscc,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
JUDGED = EntryData(kind="lawsuit", case_number="（2026）京0108民初77号", court="海淀法院",
                   amount=Decimal("300000"), cause="借款合同纠纷", stage="judged")
FROZEN = EntryData(kind="equity_freeze", case_number="（2026）京0105执保9号", court="朝阳法院",
                   amount=Decimal("3000000"), cause="所持股权")


def _read(on, *entries, **fields) -> CheckData:
    return CheckData(checked_on=on, entries=entries, **fields)


def _record(customer, person, data, user):
    return services.check_record(subject=Subject(customer=customer, person=person), data=data,
                                 source="manual", acting_user=user)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def shared_controller(officer, officer_b):
    """One person: legal representative of A (team A), actual controller of B (team B)."""
    a = CustomerFactory(officer=officer, name="甲方实业有限公司")
    b = CustomerFactory(officer=officer_b, name="乙方贸易有限公司")
    relation = customer_services.relation_add(customer=a, acting_user=officer, name="张伟",
                                              role="legal_representative",
                                              id_number=resident_id(701))
    customer_services.relation_add(customer=b, acting_user=officer_b, name="张伟",
                                   role="actual_controller", id_number=resident_id(701))
    return a, b, relation.person


def test_a_serious_finding_on_a_person_reaches_the_other_teams_customer_once(
        shared_controller, officer, officer_b):
    a, b, person = shared_controller
    _record(a, person, _read(TODAY - timedelta(days=2)), officer)
    _record(a, person, _read(TODAY, JUDGED), officer)
    # A, checked through, has its own signal; B gets one from the related party.
    assert RiskSignal.objects.filter(customer=a, rule="record_lawsuit_new").count() == 1
    reached = RiskSignal.objects.get(customer=b)
    assert (reached.source, reached.rule, reached.severity) == (
        "related_party", "record_related_lawsuit_new", "serious")
    with translation.override("en"):
        assert reached.message == "Related party 张伟: new lawsuit as defendant."
    assert RelatedFinding.objects.filter(customer=b, direct=False).count() == 1

    # Read again through B, a day later: the party is one subject, the fact is not new.
    _record(b, person, _read(TODAY, JUDGED), officer_b)
    assert RiskSignal.objects.filter(customer=b).count() == 1
    assert RiskSignal.objects.filter(customer=a).count() == 1
    assert Notification.objects.filter(recipient=officer_b).count() == 1


def test_spreading_the_same_fact_again_raises_nothing(shared_controller, officer):
    a, b, person = shared_controller
    check = _record(a, person, _read(TODAY, JUDGED), officer)
    finding = check.findings.get()
    data = next(f for f in services.diff.compare(previous=None, current=_read(TODAY, JUDGED),
                                                 is_company=False) if f.serious)
    again = spread.spread(subject=Subject(customer=a, person=person),
                          findings=[(finding, data)], acting_user=officer)
    assert again == 0
    assert RiskSignal.objects.filter(customer=b).count() == 1


def test_the_other_officer_is_told_of_their_own_customer_only(shared_controller, officer,
                                                             officer_b):
    a, b, person = shared_controller
    _record(a, person, _read(TODAY, JUDGED), officer)
    notification = Notification.objects.get(recipient=officer_b)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            text = render(notification.kind, notification.params)
        assert b.name in text
        assert a.name not in text and JUDGED.case_number not in text
    with translation.override("en"):
        assert render(notification.kind, notification.params) == (
            "A related party of your customer 乙方贸易有限公司 has: new lawsuit as defendant.")
    assert notification.url == reverse("customers:customer_detail",
                                       args=[b.pk]) + "#related-findings"
    # A's officer checked it and has A's own signal: not told twice.
    assert not Notification.objects.filter(recipient=officer,
                                           kind__startswith="records.related.").exists()


def test_the_sheet_shows_related_parties_findings_without_the_other_customer(
        shared_controller, officer, officer_b):
    a, b, person = shared_controller
    _record(a, person, _read(TODAY, JUDGED), officer)
    page = _client(officer_b).get(reverse("customers:customer_detail", args=[b.pk]))
    html = page.content.decode()
    section = html[html.index('id="related-findings"'):]
    assert "张伟" in section and JUDGED.case_number in section
    assert a.name not in html
    assert reverse("records:customer_checks", args=[a.pk]) not in html
    # The officer of A still cannot open B.
    assert _client(officer).get(reverse("customers:customer_detail",
                                        args=[b.pk])).status_code == 404


def test_a_non_serious_finding_stays_with_the_customer_checked(shared_controller, officer):
    a, b, person = shared_controller
    small = EntryData(kind="lawsuit", case_number="X1", amount=Decimal("1000"), stage="filed")
    _record(a, person, _read(TODAY, small), officer)
    assert RiskSignal.objects.filter(customer=a, rule="record_lawsuit_new").exists()
    assert not RiskSignal.objects.filter(customer=b).exists()


def test_an_individual_borrowers_company_is_checked_and_its_trouble_reaches_the_borrower(
        officer, officer_b):
    borrower = IndividualFactory(officer=officer, name="李四")
    company_customer = CustomerFactory(officer=officer_b, name="丙方制造有限公司")
    relation = customer_services.relation_add(customer=borrower, acting_user=officer,
                                              name="李四经营的公司", role="legal_representative",
                                              kind="company", id_number=uscc(9001))
    customer_services.relation_add(customer=company_customer, acting_user=officer_b,
                                   name="李四经营的公司", role="shareholder", kind="company",
                                   id_number=uscc(9001), stake_pct=Decimal("40"))
    company = relation.person
    assert company.is_company
    assert [s.key for s in subjects_for(customer=borrower)] == [f"c{borrower.pk}",
                                                                f"p{company.pk}"]
    registered = {"legal_representative": "李四", "registered_capital": Decimal("5000000")}
    _record(borrower, company, _read(TODAY - timedelta(days=5), **registered), officer)
    check = _record(borrower, company, _read(
        TODAY, FROZEN, legal_representative="王五", registered_capital=Decimal("1000000")),
        officer)
    assert sorted(f.kind for f in check.findings.all()) == [
        "capital_reduced", "freeze_new", "legal_rep_changed"]
    assert sorted(RiskSignal.objects.filter(customer=company_customer)
                  .values_list("rule", flat=True)) == [
        "record_related_capital_reduced", "record_related_freeze_new",
        "record_related_legal_rep_changed"]


def test_a_company_party_needs_a_valid_uscc(officer):
    borrower = IndividualFactory(officer=officer)
    with pytest.raises(ValidationError) as error:
        customer_services.relation_add(customer=borrower, acting_user=officer, name="某公司",
                                       role="shareholder", kind="company",
                                       id_number=resident_id(5), stake_pct=Decimal("10"))
    assert "id_number" in error.value.message_dict


def test_an_outside_guarantors_findings_reach_the_loans_it_guarantees(officer, officer_b):
    d = CustomerFactory(officer=officer, name="丁方有限公司")
    e = CustomerFactory(officer=officer_b, name="戊方有限公司")
    loan_d = LoanFactory(customer=d, contract_number="HT-D-1")
    loan_e = LoanFactory(customer=e, contract_number="HT-E-1")
    for loan, user in ((loan_d, officer), (loan_e, officer_b)):
        customer_services.guarantee_create(loan=loan, acting_user=user, amount=Decimal("100000"),
                                           guarantor_name="担保集团有限公司",
                                           guarantor_kind="company",
                                           guarantor_id_number=uscc(9100))
    guarantor = Person.objects.get(id_number=uscc(9100))
    assert guarantor.guarantees.count() == 2
    assert CustomerRelation.objects.filter(person=guarantor, role="guarantor").count() == 2
    _record(d, guarantor, _read(TODAY, tax_abnormal=True), officer)
    signal = RiskSignal.objects.get(customer=e)
    assert signal.rule == "record_guarantor_tax_abnormal"
    with translation.override("en"):
        assert signal.message == ("Guarantor 担保集团有限公司 of loans HT-E-1: abnormal taxpayer "
                                  "status.")
    assert RelatedFinding.objects.get(customer=e).loans == ["HT-E-1"]


def test_our_corporate_customer_as_guarantor_spreads_to_the_borrower(officer, officer_b):
    guarantor = CustomerFactory(officer=officer)
    borrower = CustomerFactory(officer=officer_b)
    loan = LoanFactory(customer=borrower)
    customer_services.guarantee_create(loan=loan, acting_user=officer_b,
                                       amount=Decimal("100000"), guarantor_customer=guarantor)
    _record(guarantor, None, _read(TODAY, licence_status="revoked"), officer)
    assert RiskSignal.objects.get(customer=borrower).rule == "record_guarantor_licence_changed"


def test_the_administrator_sets_when_a_penalty_is_serious(shared_controller, officer):
    a, b, person = shared_controller
    RecordPolicy.objects.create(penalty_serious_amount=Decimal("10000"))
    fine = EntryData(kind="penalty", case_number="罚1", amount=Decimal("20000"))
    check = _record(a, person, _read(date(2026, 1, 5), fine), officer)
    assert check.findings.get().serious
    assert RiskSignal.objects.filter(customer=b, rule="record_related_penalty_new").exists()


def _queries_to_reach(n: int, officer, officer_b, number: int) -> int:
    person = Person.objects.create(name=f"控制人{number}", id_number=resident_id(800 + number))
    linked = [CustomerFactory(officer=officer if i % 2 else officer_b) for i in range(n)]
    CustomerRelation.objects.bulk_create([
        CustomerRelation(customer=c, person=person, role="actual_controller") for c in linked])
    frozen = EntryData(kind="asset_freeze", case_number=f"F{number}", amount=Decimal("1"))
    with CaptureQueriesContext(connection) as queries:
        _record(linked[0], person, _read(TODAY, frozen), officer)
    assert RelatedFinding.objects.filter(finding__record_check__person=person,
                                         direct=False).count() == n - 1
    return len(queries)


def test_reaching_many_customers_costs_the_same_queries_as_reaching_a_few(officer, officer_b):
    assert _queries_to_reach(3, officer, officer_b, 1) == _queries_to_reach(
        30, officer, officer_b, 2)


def test_a_party_linked_after_its_trouble_was_found_brings_it_to_the_new_customer_once(
        shared_controller, officer, officer_b):
    """C takes on as guarantor the person whose judgment and freeze are already on record; a
    customer linked in a role trouble does not spread through, or to a party with nothing
    standing, gets nothing; a closed case no longer stands."""
    a, b, person = shared_controller
    _record(a, person, _read(TODAY - timedelta(days=30)), officer)
    _record(a, person, _read(TODAY - timedelta(days=20), JUDGED, FROZEN), officer)
    assert RiskSignal.objects.filter(customer=b, source="related_party").count() == 2
    # The freeze is lifted later: only the judgment still stands.
    lifted = EntryData(**{**FROZEN.__dict__, "closed": True})
    _record(a, person, _read(TODAY - timedelta(days=10), JUDGED, lifted), officer)

    c = CustomerFactory(officer=officer_b, name="丙方物流有限公司")
    loan = LoanFactory(customer=c, contract_number="C-LOAN-1")
    customer_services.guarantee_create(loan=loan, acting_user=officer_b, amount=Decimal("1e6"),
                                       guarantor_name="张伟", guarantor_id_number=resident_id(701))
    (signal,) = RiskSignal.objects.filter(customer=c)
    assert (signal.rule, signal.severity) == ("record_guarantor_lawsuit_new", "serious")
    assert signal.params["loans"] == "C-LOAN-1"
    (reached,) = RelatedFinding.objects.filter(customer=c)
    assert reached.finding.params["case"] == JUDGED.case_number
    notice = Notification.objects.get(recipient=officer_b, url__contains=f"/{c.pk}/")
    with translation.override("en"):
        text = render(notice.kind, notice.params)
        assert "丙方物流有限公司" in text and "甲方" not in text
    # Nobody else is reached again, and a second link of the same party adds nothing.
    assert RiskSignal.objects.filter(customer=b, source="related_party").count() == 2
    customer_services.relation_add(customer=c, acting_user=officer_b, name="张伟",
                                   role="actual_controller", id_number=resident_id(701))
    assert RiskSignal.objects.filter(customer=c).count() == 1

    # A finance head is not a role trouble spreads through; a party never checked has nothing.
    d = CustomerFactory(officer=officer, name="丁方制造有限公司")
    customer_services.relation_add(customer=d, acting_user=officer, name="张伟",
                                   role="finance_head", id_number=resident_id(701))
    customer_services.relation_add(customer=d, acting_user=officer, name="李娜",
                                   role="legal_representative", id_number=resident_id(702))
    assert not RiskSignal.objects.filter(customer=d).exists()
