"""Talking to the broker without letting a Redis outage slow down a user's request.

Requests that need the broker (to enqueue work, to show queue figures) first ask
`broker_available()`: a PING with a short timeout whose answer is remembered for a few seconds,
so a dead or frozen Redis costs a request at most one short wait, and usually none. Work that could
not be enqueued stays recorded in the database, where its periodic job finds it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import redis
from django.conf import settings

PUBLISH_TIMEOUT = 0.5  # seconds, for connecting and for each answer while publishing
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


def broker_publish(task: Any, *, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Publish a task once, on a connection of its own with short timeouts and no retry.

    The app's pooled connections wait seconds for each answer and retry, which is right for a
    worker but not for a user's request: a broker that froze after its last good ping would hold
    the request for all of that. Here a hanging broker raises within about two timeouts.
    """
    options = {"socket_connect_timeout": PUBLISH_TIMEOUT, "socket_timeout": PUBLISH_TIMEOUT,
               "max_retries": 0}
    with task.app.connection_for_write(transport_options=options) as connection:
        task.apply_async(args=args, kwargs=kwargs, connection=connection, retry=False)
