from __future__ import annotations

import pytest

from loanwatch.api.models import Scope
from loanwatch.api.throttles import TokenRateThrottle

from .helpers import bearer, make_token


@pytest.fixture
def read_token(admin_user):
    return make_token(admin_user, scopes=[Scope.READ])


@pytest.fixture
def reader(read_token):
    """A client calling with a token of the "read" scope."""
    return bearer(read_token[1])


@pytest.fixture
def feeder(admin_user):
    """A client calling with a token of the "feed-write" scope only."""
    return bearer(make_token(admin_user, scopes=[Scope.FEED_WRITE], name="core banking")[1])


@pytest.fixture
def unthrottled(monkeypatch):
    """For tests that call far more often than an integration may."""
    monkeypatch.setitem(TokenRateThrottle.THROTTLE_RATES, "api_read", "100000/min")
