"""Charts and bank-wide counts are kept in Redis, shared by every web process; while Redis is
stopped or frozen each process keeps them in its own memory, the page still answers at once and
the log says so once."""

from __future__ import annotations

import logging
import time

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from loanwatch.core.shared_cache import SharedCache
from tests.core.test_outages import _outage, own_redis  # noqa: F401 (the fixture)

OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def _backend(location: str) -> SharedCache:
    """A cache as one web process holds it: a backend object of its own."""
    return SharedCache(location, {"KEY_PREFIX": "test", "OPTIONS": OPTIONS})


def test_figures_kept_by_one_process_are_read_by_another():
    location = settings.CACHES["default"]["LOCATION"]
    first, second = _backend(location), _backend(location)
    first.set("figures", {"customers": 12}, 60)
    assert second.get("figures") == {"customers": 12}
    assert not first.redis_away() and not second.redis_away()


@pytest.mark.parametrize("kind", ["frozen", "stopped"])
def test_an_outage_keeps_figures_in_the_process_and_logs_one_line(own_redis, kind,  # noqa: F811
                                                                  caplog):
    backend = _backend(settings.CELERY_BROKER_URL)  # the fixture's own Redis
    backend.set("before", 1, 60)
    assert backend.get("before") == 1
    _outage(own_redis, kind)
    caplog.set_level(logging.WARNING, logger="loanwatch.core.shared_cache")
    started = time.monotonic()
    for n in range(20):
        backend.set(f"figure-{n}", n, 60)
        assert backend.get(f"figure-{n}") == n
    assert backend.get_or_set("count", lambda: 7, 60) == 7
    assert time.monotonic() - started < 1.5  # one short wait, then memory
    assert backend.redis_away()
    lines = [r for r in caplog.records if r.name == "loanwatch.core.shared_cache"]
    assert len(lines) == 1 and "did not answer" in lines[0].getMessage()


@pytest.mark.parametrize("kind", ["frozen", "stopped"])
def test_a_team_chart_answers_during_an_outage(own_redis, kind, supervisor_client):  # noqa: F811
    cache_settings = {**settings.CACHES, "default": {
        **settings.CACHES["default"], "LOCATION": settings.CELERY_BROKER_URL}}
    with override_settings(CACHES=cache_settings):
        url = reverse("core:chart_json", args=["risk-groups"])
        assert supervisor_client.get(url).status_code == 200
        _outage(own_redis, kind)
        for _ in range(3):
            started = time.monotonic()
            response = supervisor_client.get(url)
            assert response.status_code == 200
            assert time.monotonic() - started < 1.0
        assert response.json()["series"]
        assert caches["default"].redis_away()
