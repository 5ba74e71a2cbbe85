"""Hostile and random input to the customer, loan and valuation forms and to the import: a clear
error or a correct save — never a server error, never a half-written record, never a saved row
that breaks the book's rules."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from customers import imports, selectors
from customers.models import (
    Classification,
    CollateralValuation,
    Customer,
    GuaranteeType,
    ImportRun,
    Loan,
    RepaymentMethod,
    RiskGroup,
)
from tests.hostile import HOSTILE_DATE, HOSTILE_NUMBER, HOSTILE_TEXT, HYPOTHESIS, some_fields

from .factories import CollateralFactory, CustomerFactory, uscc

pytestmark = pytest.mark.django_db
IDENTIFIER = st.one_of(st.integers(min_value=5000, max_value=10**6).map(uscc), HOSTILE_TEXT)


def _assert_loan_obeys_the_rules(loan: Loan) -> None:
    assert 0 <= loan.balance <= loan.amount
    assert loan.matures_on > loan.disbursed_on
    floor = selectors.classification_floor(days_past_due=loan.days_past_due)
    assert Classification.rank(loan.classification) >= Classification.rank(floor)


@HYPOTHESIS
@given(kind=st.sampled_from(["corporate", "individual", "", "robot"]), name=HOSTILE_TEXT,
       identifier=IDENTIFIER, capital=HOSTILE_NUMBER, founded=HOSTILE_DATE, address=HOSTILE_TEXT,
       phone=HOSTILE_TEXT, risk_group=st.sampled_from(["normal", "high", "none"]))
def test_customer_form(officer_client, officer, kind, name, identifier, capital, founded,
                       address, phone, risk_group):
    group = RiskGroup.objects.filter(code=risk_group).values_list("pk", flat=True).first()
    before = set(Customer.objects.values_list("pk", flat=True))
    response = officer_client.post(reverse("customers:customer_create"), {
        "kind": kind, "name": name, "identifier": identifier, "registered_capital": capital,
        "founded_on": founded, "address": address, "phone": phone, "risk_group": group or "x",
    })
    assert response.status_code in (200, 302)
    event(f"answered {response.status_code}")  # --hypothesis-show-statistics: both happen
    created = Customer.objects.exclude(pk__in=before)
    if response.status_code == 200:
        assert not created.exists()
        return
    customer = created.get()
    assert customer.name == name.strip() and customer.officer == officer
    # Whatever group was posted, an officer's new customer starts in the least-watched one.
    assert customer.kind == kind and customer.risk_group_id == selectors.default_risk_group().pk
    customer.delete()


VALID_LOAN = {"contract_number": "HT-HOSTILE-1", "amount": "1000000", "balance": "500000",
              "disbursed_on": "2025-01-15", "matures_on": "2027-01-15", "purpose": "流动资金",
              "repayment_method": "bullet", "guarantee_types": ["guaranteed"],
              "days_past_due": "0", "classification": "pass"}
LOAN_FIELD_VALUES = {
    "contract_number": HOSTILE_TEXT, "amount": HOSTILE_NUMBER, "balance": HOSTILE_NUMBER,
    "disbursed_on": HOSTILE_DATE, "matures_on": HOSTILE_DATE, "purpose": HOSTILE_TEXT,
    "repayment_method": st.sampled_from([*RepaymentMethod.values, "", "monthly"]),
    "guarantee_types": st.lists(st.sampled_from([*GuaranteeType.values, "gift"]), max_size=3),
    "days_past_due": HOSTILE_NUMBER,
    "classification": st.sampled_from([*Classification.values, "", "gold"]),
}


@HYPOTHESIS
@given(hostile=some_fields(LOAN_FIELD_VALUES, min_size=0))
def test_loan_form(officer_client, officer, hostile):
    """A valid loan with one to three fields made hostile: most saves are refused, some
    succeed, and whatever is saved keeps the book's rules."""
    customer = Customer.objects.filter(officer=officer).first() or CustomerFactory(
        officer=officer)
    post = {**VALID_LOAN, **hostile}
    before = set(Loan.objects.values_list("pk", flat=True))
    response = officer_client.post(reverse("customers:loan_create", args=[customer.pk]), post)
    assert response.status_code in (200, 302)
    event(f"answered {response.status_code}")
    created = Loan.objects.exclude(pk__in=before)
    if response.status_code == 200:
        assert not created.exists()
        return
    loan = created.get()
    assert loan.contract_number == post["contract_number"].strip()
    assert loan.customer == customer
    _assert_loan_obeys_the_rules(loan)
    loan.delete()


@HYPOTHESIS
@given(valued_on=HOSTILE_DATE, value=HOSTILE_NUMBER,
       source=st.sampled_from(["appraisal", "visit", "other", "", "guess"]), note=HOSTILE_TEXT)
def test_valuation_form(officer_client, officer, valued_on, value, source, note):
    collateral = CollateralFactory(customer=Customer.objects.filter(officer=officer).first()
                                   or CustomerFactory(officer=officer))
    response = officer_client.post(reverse("customers:valuation_add", args=[collateral.pk]), {
        "valued_on": valued_on, "value": value, "source": source, "note": note})
    assert response.status_code in (200, 302)
    event(f"answered {response.status_code}")  # --hypothesis-show-statistics: both happen
    saved = CollateralValuation.objects.filter(collateral=collateral)
    if response.status_code == 200:
        assert not saved.exists()
    else:
        assert saved.get().value >= 0 and saved.get().note == note.strip()
    saved.delete()
    collateral.delete()


@HYPOTHESIS
@given(cells=st.fixed_dictionaries({
    "name": HOSTILE_TEXT, "identifier": IDENTIFIER, "amount": HOSTILE_NUMBER,
    "balance": HOSTILE_NUMBER, "disbursed_on": HOSTILE_DATE, "matures_on": HOSTILE_DATE,
    "days_past_due": HOSTILE_NUMBER, "guarantee_types": HOSTILE_TEXT,
    "classification": st.sampled_from(["正常", "关注", "次级", "loss", "", "金"]),
}))
def test_import(officer_client, officer, cells):
    values = {"kind": "法人", "name": "导入企业", "identifier": uscc(7777), "industry": "",
              "address": "", "phone": "", "officer": "", "risk_group": "",
              "contract_number": "HOSTILE-1", "amount": "1000000", "balance": "500000",
              "disbursed_on": "2025-01-15", "matures_on": "2027-01-15", "purpose": "流动资金",
              "repayment_method": "bullet", "repayment_source": "", "guarantee_types": "保证",
              "days_past_due": "0", "classification": "正常"}
    values.update(cells)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([c.header for c in imports.COLUMNS])
    writer.writerow([values[c.key] for c in imports.COLUMNS])  # NUL too: Python's csv reads it
    upload = SimpleUploadedFile("ledger.csv", text.getvalue().encode("utf-8"))
    url = reverse("customers:customer_import")
    response = officer_client.post(url, {"file": upload})
    assert response.status_code == 302  # the run's page; the job does the rest
    run = imports.import_run_execute(run_id=ImportRun.objects.latest("pk").pk)
    assert run.status in ("applied", "rejected")
    assert officer_client.get(response["Location"]).status_code == 200
    event(f"run {run.status}")
    loans = Loan.objects.filter(customer__officer=officer)
    if run.status == "rejected":
        assert run.errors and all(p["reason"] for p in run.errors)
        assert not loans.exists() and not Customer.objects.filter(officer=officer).exists()
    for loan in loans:
        _assert_loan_obeys_the_rules(loan)
    loans.delete()
    Customer.objects.filter(officer=officer).delete()
