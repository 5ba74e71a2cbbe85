"""Home pages cost the same number of queries however many users and teams there are."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, Loan
from loanwatch.accounts.roles import Role
from tests.customers.factories import CustomerFactory, LoanFactory

from ..factories import TeamFactory, UserFactory


def _queries(client) -> int:
    cache.clear()  # the bank-wide figures counted, not taken from the last request
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("core:home")).status_code == 200
    return len(captured)


# The session, the user with their team, then one query per card or table, each an index read
# whatever the book's size: the officer's and the supervisor's homes grew with the cards of
# standing warnings, stale signals, overdue measures and corrections waiting; the supervisor's
# with the on-site visits whose photos do not fit; the supervisor's and the administrator's with
# the classification review (the administrator's bank-wide count: two queries, kept a minute),
# the officer's with the new signals.
QUERIES = {"officer_client": 14, "supervisor_client": 16, "admin_client_": 13}


@pytest.mark.parametrize("client_fixture", ["officer_client", "supervisor_client",
                                            "admin_client_"])
def test_home_query_count_does_not_grow(request, client_fixture, team_a):
    client = request.getfixturevalue(client_fixture)
    UserFactory.create_batch(2, team=team_a, role=Role.OFFICER)
    small = _queries(client)
    assert small == QUERIES[client_fixture]
    for _ in range(5):
        team = TeamFactory()
        UserFactory.create_batch(6, team=team, role=Role.OFFICER)
    UserFactory.create_batch(30, team=team_a, role=Role.OFFICER)
    assert _queries(client) == small


def test_admin_sees_the_whole_book_counted_at_most_once_a_minute(admin_client_, officer,
                                                                 officer_b):
    LoanFactory(customer=CustomerFactory(officer=officer), balance=Decimal("100"),
                days_past_due=3)
    LoanFactory(customer=CustomerFactory(officer=officer_b), balance=Decimal("50"))
    cold = _queries(admin_client_)
    page = admin_client_.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en")
    figures = page.context["portfolio"]
    assert figures["customers"] == Customer.objects.count() == 2
    assert figures["loan_count"] == Loan.objects.filter(balance__gt=0).count() == 2
    assert figures["outstanding"] == Decimal("150")
    assert figures["overdue_loans"] == 1
    assert 'id="portfolio-as-of"' in page.content.decode()
    # Within the minute the figures are not counted again (the portfolio's two aggregates and
    # the classification review's two counts saved) ...
    with CaptureQueriesContext(connection) as captured:
        admin_client_.get(reverse("core:home"))
    assert len(captured) == cold - 4
    # ... and they say when they were counted.
    assert timezone.now() - figures["as_of"] < datetime.timedelta(minutes=1)
