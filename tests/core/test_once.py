"""A form's one-time key: a double click, a retry after a lost answer or a replay does the work
once, and the repeat is shown the first one's result."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from customers.models import Customer, Loan
from loanwatch.core.models import FormSubmission
from tests.customers.factories import CustomerFactory, resident_id
from visits.models import Visit


def _key(page: str) -> str:
    return re.search(r'name="_once" value="([0-9a-f]{32})"', page).group(1)


def _loan_data(key: str) -> dict:
    return {"_once": key, "contract_number": "HT-ONCE-1", "amount": "500000",
            "balance": "500000", "disbursed_on": "2025-03-01", "matures_on": "2027-03-01",
            "purpose": "流动资金", "repayment_method": "bullet", "guarantee_types": ["guaranteed"],
            "days_past_due": "0", "classification": "pass"}


@pytest.mark.django_db
def test_every_form_a_page_draws_carries_its_own_key(officer_client, officer):
    customer = CustomerFactory(officer=officer)
    page = officer_client.get(reverse("customers:customer_detail", args=[customer.pk]))
    keys = re.findall(r'name="_once" value="([0-9a-f]{32})"', page.content.decode())
    assert keys and len(set(keys)) == len(keys)
    assert page.content.decode().count("csrfmiddlewaretoken") == len(keys)


@pytest.mark.django_db
def test_the_same_create_sent_twice_makes_one_loan(officer_client, officer):
    customer = CustomerFactory(officer=officer)
    url = reverse("customers:loan_create", args=[customer.pk])
    key = _key(officer_client.get(url).content.decode())
    first = officer_client.post(url, _loan_data(key))
    second = officer_client.post(url, _loan_data(key), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert first.status_code == 302
    assert second.redirect_chain[0][0] == first["Location"]
    assert "already sent" in second.content.decode()
    assert Loan.objects.filter(contract_number="HT-ONCE-1").count() == 1


@pytest.mark.django_db
def test_a_form_sent_with_errors_can_be_corrected_and_sent_with_the_same_key(officer_client,
                                                                              officer):
    customer = CustomerFactory(officer=officer)
    url = reverse("customers:loan_create", args=[customer.pk])
    key = _key(officer_client.get(url).content.decode())
    refused = officer_client.post(url, {**_loan_data(key), "amount": "-1"})
    assert refused.status_code == 200
    assert officer_client.post(url, _loan_data(key)).status_code == 302
    assert Loan.objects.filter(contract_number="HT-ONCE-1").count() == 1


@pytest.mark.django_db
def test_a_key_is_the_users_own(officer_client, officer, supervisor_client):
    """Another user's key means nothing to this user: their post runs as their own."""
    FormSubmission.objects.create(user=officer, key="a" * 32, path="/", location="/elsewhere/")
    response = supervisor_client.post(reverse("customers:customer_create"), {
        "_once": "a" * 32, "kind": "individual", "name": "钱七", "identifier": resident_id(11),
        "officer": officer.pk})
    assert response.status_code == 302 and response["Location"] != "/elsewhere/"
    assert Customer.objects.filter(name="钱七").exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_double_click_on_start_visit_makes_one_draft_and_both_clicks_open_it(officer):
    customer = CustomerFactory(officer=officer)
    client = Client()
    client.force_login(officer)
    url = reverse("visits:visit_create", args=[customer.pk])
    page = client.get(url).content.decode()
    data = {"_once": _key(page), "visited_on": "2026-11-30", "method": "on_site"}
    answers = []

    def click():
        answers.append(client.post(url, data))
        connection.close()

    clicks = [threading.Thread(target=click) for _ in range(2)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join()
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert Visit.objects.filter(customer=customer).count() == 1
