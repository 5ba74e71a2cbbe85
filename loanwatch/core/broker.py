"""Talking to the broker without letting a Redis outage slow down a user's request.

Requests that need the broker (to enqueue work, to show queue figures) first ask
`broker_available()`: a PING with a short timeout whose answer is remembered for a few seconds,
so a dead or frozen Redis costs a request at most one short wait, and usually none. Work that could
not be enqueued stays recorded in the database, where its periodic job finds it.
"""

from __future__ import annotations

import threading
import time

import redis
from django.conf import settings

PING_TIMEOUT = 0.3  # seconds; a healthy Redis on the LAN answers in well under a millisecond
REMEMBER_DOWN = 5.0  # seconds to trust a failed ping before trying again
REMEMBER_UP = 1.0

_lock = threading.Lock()
_state: dict[str, tuple[bool, float]] = {}


_clients: dict[tuple[str, float], redis.Redis] = {}


def broker_client(*, timeout: float = PING_TIMEOUT) -> redis.Redis:
    """One client (and connection pool) per broker URL and timeout, reused across requests."""
    key = (settings.CELERY_BROKER_URL, timeout)
    client = _clients.get(key)
    if client is None:
        client = redis.Redis.from_url(key[0], socket_connect_timeout=timeout,
                                      socket_timeout=timeout)
        with _lock:
            _clients[key] = client
    return client


def broker_ping(*, timeout: float = PING_TIMEOUT) -> bool:
    client = broker_client(timeout=timeout)
    try:
        return bool(client.ping())
    except (redis.RedisError, OSError):
        # A frozen server leaves half-used connections behind: start afresh next time.
        client.connection_pool.disconnect()
        return False


def broker_available() -> bool:
    """Whether the broker answered recently (cached per process and broker URL)."""
    url = settings.CELERY_BROKER_URL
    now = time.monotonic()
    with _lock:
        known = _state.get(url)
    if known is not None:
        up, at = known
        if now - at < (REMEMBER_UP if up else REMEMBER_DOWN):
            return up
    up = broker_ping()
    with _lock:
        _state[url] = (up, time.monotonic())
    return up


def forget_broker_state() -> None:
    with _lock:
        _state.clear()
