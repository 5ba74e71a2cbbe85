"""Home pages cost the same number of queries however many users and teams there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from loanwatch.accounts.roles import Role

from ..factories import TeamFactory, UserFactory


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("core:home")).status_code == 200
    return len(captured)


# The session, the user with their team, then the page's figures (one query per card or
# table); the bank-scale target is at most 12.
QUERIES = {"officer_client": 11, "supervisor_client": 10, "admin_client_": 10}


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
