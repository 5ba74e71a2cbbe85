"""Each subject to check carries its customer's officer and team, kept by the database however
customers and subjects are written (services, set-based statements, the generator), so that a
team's and an officer's due list read their own index; after a reassignment the list of the new
team shows the moved customer's subjects and the old team's list no longer does."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from customers import services
from customers.models import Customer
from customers.records import subjects
from customers.records.models import CheckSubject
from customers.services import CUSTOMER_FIELDS, relation_add
from loanwatch.devtools.generate import generate
from tests.customers.factories import CustomerFactory, resident_id

from .helpers import company_with_controller

pytestmark = pytest.mark.django_db
URL = reverse("records:due_list")


def _scopes(customer) -> set[tuple[int | None, int | None]]:
    """The officer and team each of the customer's subjects carries, as stored."""
    return set(CheckSubject.objects.filter(customer_id=customer.pk)
               .values_list("officer_id", "team_id"))


def _keys(user, params: dict | None = None) -> list[str]:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    response = client.get(URL, params or {})
    assert response.status_code == 200
    return re.findall(r"\?subject=([cp]\d+)", response.content.decode())


def test_a_new_customer_and_its_related_party_carry_its_officer_and_team(officer, team_a):
    customer = services.customer_create(acting_user=officer, data={
        "kind": "individual", "name": "王五", "identifier": resident_id(7)})
    assert _scopes(customer) == {(officer.pk, team_a.pk)}
    relation_add(customer=customer, acting_user=officer, name="担保人甲", role="guarantor",
                 id_number=resident_id(8))
    assert CheckSubject.objects.filter(customer=customer).count() == 2
    assert _scopes(customer) == {(officer.pk, team_a.pk)}


def test_a_reassignment_moves_the_subjects_and_the_teams_lists(officer, officer_b, team_a,
                                                               team_b, supervisor,
                                                               supervisor_b, admin_user):
    customer, person = company_with_controller(officer)
    stays, _p = company_with_controller(officer, n=2)
    moved = {f"c{customer.pk}", f"p{person.pk}"}
    assert moved <= set(_keys(supervisor)) and not moved & set(_keys(supervisor_b))

    services.customer_reassign(customer_ids=[customer.pk], to_officer=officer_b,
                               acting_user=admin_user)

    assert _scopes(customer) == {(officer_b.pk, team_b.pk)}
    assert _scopes(stays) == {(officer.pk, team_a.pk)}  # the others stay where they were
    assert moved <= set(_keys(supervisor_b)) and moved <= set(_keys(officer_b))
    assert not moved & set(_keys(supervisor)) and not moved & set(_keys(officer))
    assert f"c{stays.pk}" in _keys(supervisor)
    assert moved <= set(_keys(admin_user, {"team": team_b.pk}))
    assert not moved & set(_keys(admin_user, {"team": team_a.pk}))

    # Back through the customer's form.
    customer.refresh_from_db()
    data = {key: getattr(customer, key) for key in CUSTOMER_FIELDS}
    services.customer_update(customer=customer, acting_user=admin_user,
                             data={**data, "officer": officer})
    assert _scopes(customer) == {(officer.pk, team_a.pk)}
    assert moved <= set(_keys(supervisor)) and not moved & set(_keys(supervisor_b))


def test_set_based_writes_keep_the_copies(officer, officer_b, team_a, team_b):
    customer, _person = company_with_controller(officer)
    # Subjects inserted in bulk, around the model's signals, and by the daily sync.
    CheckSubject.objects.filter(customer=customer).delete()
    CheckSubject.objects.bulk_create([CheckSubject(customer=customer)])
    assert _scopes(customer) == {(officer.pk, team_a.pk)}
    assert subjects.sync() > 0  # brings the legal representative back
    assert CheckSubject.objects.filter(customer=customer).count() == 2
    assert _scopes(customer) == {(officer.pk, team_a.pk)}
    # Customers moved by one statement, as an import or a script would.
    Customer.objects.filter(pk=customer.pk).update(officer=officer_b, team=team_b)
    assert _scopes(customer) == {(officer_b.pk, team_b.pk)}
    # A statement that writes the copies themselves cannot make them disagree with the customer.
    CheckSubject.objects.filter(customer=customer).update(officer_id=officer.pk,
                                                          team_id=team_a.pk)
    assert _scopes(customer) == {(officer_b.pk, team_b.pk)}
    other = CustomerFactory(officer=officer)
    assert _scopes(other) == {(officer.pk, team_a.pk)}


def test_a_generated_book_has_its_copies():
    generate(customers=60, seed=5, out=io.StringIO())
    owners = {pk: (officer, team) for pk, officer, team
              in Customer.objects.values_list("pk", "officer_id", "team_id")}
    rows = list(CheckSubject.objects.values_list("customer_id", "officer_id", "team_id"))
    assert len(rows) > 60  # the customers and their checked parties
    for customer_id, officer_id, team_id in rows:
        assert (officer_id, team_id) == owners[customer_id]
