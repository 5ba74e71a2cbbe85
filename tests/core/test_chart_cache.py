"""A team's and the bank's charts are computed once and kept for a few minutes: the kept
figures are the figures the chart computes, the second request runs no query of the chart's,
the note says how old they are, and an officer's charts are always computed afresh."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from loanwatch.core import charts
from tests.customers.factories import CustomerFactory, LoanFactory

pytestmark = pytest.mark.django_db
KEYS = ["risk-groups", "classifications", "classification-migration", "overdue-by-week"]


def _get(client, key):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("core:chart_json", args=[key]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.json(), len(captured)


@pytest.fixture
def book(officer, officer_b):
    for n in range(3):
        LoanFactory(customer=CustomerFactory(officer=officer), balance=Decimal(10_000 * (n + 1)))
    LoanFactory(customer=CustomerFactory(officer=officer_b), balance=Decimal("50000"))


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("persona", ["supervisor", "admin_user"])
def test_a_kept_chart_equals_the_chart_computed_and_costs_no_query(request, book, key,
                                                                   persona):
    user = request.getfixturevalue(persona)
    client = request.getfixturevalue("supervisor_client" if persona == "supervisor"
                                     else "admin_client_")
    client.get(reverse("core:dashboard"))  # the session settles
    first, first_queries = _get(client, key)
    with translation.override("en"):
        computed = charts.chart(key).build(user=user, params={}).as_json()
    assert first["labels"] == computed["labels"] and first["series"] == computed["series"]
    assert "Figures as of" in first["note"]
    second, second_queries = _get(client, key)
    assert second == first
    assert second_queries < first_queries and second_queries <= 3  # session and user only
    LoanFactory(customer=CustomerFactory(officer=request.getfixturevalue("officer")),
                balance=Decimal("70000"))
    assert _get(client, key)[0] == first  # kept: the new loan shows after the cache expires
    cache.clear()
    with translation.override("en"):
        fresh = charts.chart(key).build(user=user, params={}).as_json()
    assert _get(client, key)[0]["series"] == fresh["series"]


def test_an_officer_s_chart_is_computed_each_time(officer_client, officer, book):
    first, queries = _get(officer_client, "risk-groups")
    LoanFactory(customer=CustomerFactory(officer=officer), balance=Decimal("70000"))
    second, again = _get(officer_client, "risk-groups")
    assert sum(second["series"][0]["values"]) == sum(first["series"][0]["values"]) + 1
    assert again == queries and "Figures as of" not in second["note"]


def test_the_kept_figures_are_kept_per_scope_language_and_dates(supervisor, supervisor_b):
    params = {"from": None, "to": None}
    keys = {charts.cache_key(key="m", scope=charts.cache_scope(user), params=params)
            for user in (supervisor, supervisor_b)}
    with translation.override("zh-hans"):
        keys.add(charts.cache_key(key="m", scope=charts.cache_scope(supervisor), params=params))
    assert len(keys) == 3
