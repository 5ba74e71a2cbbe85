"""A supervisor who belongs to no team (between teams, or misconfigured) sees no team's
officers or events: a team of none must not match everyone else who has none."""

from __future__ import annotations

import pytest

from loanwatch.accounts.roles import Role
from visits.schedule import selectors

from ...factories import UserFactory


@pytest.fixture
def teamless_supervisor(db):
    return UserFactory(username="sup_no_team", team=None, role=Role.SUPERVISOR)


def test_a_supervisor_without_a_team_sees_no_officers(teamless_supervisor, officer):
    UserFactory(username="officer_no_team", team=None, role=Role.OFFICER)
    assert list(selectors.officers_for_user(user=teamless_supervisor)) == []


def test_a_supervisor_without_a_team_sees_no_events(teamless_supervisor, officer):
    assert list(selectors.events_for_user(user=teamless_supervisor)) == []
