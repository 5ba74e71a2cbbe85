"""Personas and real infrastructure for the tests.

Personas: an officer and their supervisor in team A, an officer and a supervisor in team B, and
an admin. Tests that need background work use `celery_worker`: a real worker consuming from the
real Redis broker, in a thread of the test process so that it sees the test database.
"""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.test import Client

from loanwatch.accounts.roles import Role
from loanwatch.celery import app

from .factories import TeamFactory, UserFactory

pytest_plugins = ["tests.reuse_db"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: figures kept by one test are not another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def team_a(db):
    return TeamFactory(code="A", name="Team A")


@pytest.fixture
def team_b(db):
    return TeamFactory(code="B", name="Team B")


@pytest.fixture
def officer(team_a):
    return UserFactory(username="officer_a", team=team_a, role=Role.OFFICER)


@pytest.fixture
def officer_b(team_b):
    return UserFactory(username="officer_b", team=team_b, role=Role.OFFICER)


@pytest.fixture
def supervisor(team_a):
    return UserFactory(username="supervisor_a", team=team_a, role=Role.SUPERVISOR)


@pytest.fixture
def supervisor_b(team_b):
    return UserFactory(username="supervisor_b", team=team_b, role=Role.SUPERVISOR)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin_x", team=None, role=Role.ADMIN)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer_client(officer):
    return _client_for(officer)


@pytest.fixture
def supervisor_client(supervisor):
    return _client_for(supervisor)


@pytest.fixture
def admin_client_(admin_user):
    return _client_for(admin_user)


@pytest.fixture
def celery_worker(transactional_db, django_db_serialized_rollback):
    """A real Celery worker on the real broker, for the length of one test.

    Its tests commit for real; the serialized rollback restores the rows that migrations
    created (the role groups) after the flush that ends them.
    """
    app.control.purge()
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False,
                      shutdown_timeout=10, loglevel="WARNING") as worker:
        yield worker
