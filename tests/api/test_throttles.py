"""Rate limits per token, counted in Redis: 429 with Retry-After past the limit."""

from __future__ import annotations

import pytest

from loanwatch.api.models import Scope
from loanwatch.api.throttles import TokenRateThrottle

from .helpers import bearer, make_token


@pytest.fixture
def three_a_minute(monkeypatch):
    monkeypatch.setitem(TokenRateThrottle.THROTTLE_RATES, "api_read", "3/min")
    monkeypatch.setitem(TokenRateThrottle.THROTTLE_RATES, "api_feed", "1/min")


def test_a_token_past_its_rate_gets_429_with_retry_after(admin_user, three_a_minute):
    client = bearer(make_token(admin_user, scopes=[Scope.READ])[1])
    answers = [client.get("/api/v1/customers/").status_code for _n in range(4)]
    assert answers == [200, 200, 200, 429]
    response = client.get("/api/v1/loans/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60


def test_each_token_has_its_own_count(admin_user, three_a_minute):
    first = bearer(make_token(admin_user, scopes=[Scope.READ])[1])
    second = bearer(make_token(admin_user, scopes=[Scope.READ], name="second")[1])
    for _n in range(3):
        first.get("/api/v1/customers/")
    assert first.get("/api/v1/customers/").status_code == 429
    assert second.get("/api/v1/customers/").status_code == 200


def test_batches_have_their_own_lower_rate(admin_user, three_a_minute):
    client = bearer(make_token(admin_user, scopes=[Scope.FEED_WRITE, Scope.READ])[1])
    body = {"rows": [{"contract_number": "HT-X", "as_of": "2026-11-29", "balance": "1",
                      "days_past_due": 0, "status": "active"}]}
    answers = [client.post("/api/v1/loan-status/", body, content_type="application/json")
               .status_code for _n in range(2)]
    assert answers == [202, 429]
    assert client.get("/api/v1/customers/").status_code == 200  # reads are counted apart


def test_the_count_lives_in_redis(admin_user, three_a_minute):
    token, secret = make_token(admin_user, scopes=[Scope.READ])
    bearer(secret).get("/api/v1/customers/")
    throttle = TokenRateThrottle()
    assert type(throttle.cache).__name__ == "RedisCache"
    assert len(throttle.cache.get(f"throttle_api_read_{token.pk}")) == 1
