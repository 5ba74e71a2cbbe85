"""The cache every web process shares: Redis, with the process's own memory while Redis is away.

Charts of a team or of the bank and the bank-wide list counts are computed once and kept for
minutes. Kept in each process's memory, every gunicorn worker on every server computes them again;
kept in Redis, the first request after a change computes them for all. A cache is never a reason
for a page to fail: when Redis does not answer, the process keeps its figures in its own memory
for a while (REDIS_RETRY_AFTER) and logs one line, then tries Redis again.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_RETRY_AFTER = 30.0  # seconds of process-local caching after Redis failed to answer
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class SharedCache(RedisCache):
    """Django's Redis cache whose every call falls back to a local memory cache on an outage."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._local = LocMemCache(f"shared-fallback-{id(self)}", {
            "TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": params.get("KEY_PREFIX", "")})
        self._down_until = 0.0
        self._lock = threading.Lock()

    def redis_away(self) -> bool:
        return time.monotonic() < self._down_until

    def _either(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.redis_away():
            try:
                return getattr(RedisCache, name)(self, *args, **kwargs)
            except _UNREACHABLE as error:
                with self._lock:
                    first = not self.redis_away()
                    self._down_until = time.monotonic() + REDIS_RETRY_AFTER
                if first:
                    logger.warning("Shared cache: Redis did not answer (%s); this process keeps "
                                   "its figures in memory for %.0f s", type(error).__name__,
                                   REDIS_RETRY_AFTER)
        return getattr(self._local, name)(*args, **kwargs)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._either("add", key, value, timeout, version=version)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._either("get", key, default, version=version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT,
            version: Any = None) -> None:
        self._either("set", key, value, timeout, version=version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._either("touch", key, timeout, version=version)

    def delete(self, key: Any, version: Any = None) -> Any:
        return self._either("delete", key, version=version)

    def get_many(self, keys: Any, version: Any = None) -> Any:
        return self._either("get_many", keys, version=version)

    def has_key(self, key: Any, version: Any = None) -> Any:
        return self._either("has_key", key, version=version)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> Any:
        return self._either("incr", key, delta, version=version)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> Any:
        return self._either("set_many", data, timeout, version=version)

    def delete_many(self, keys: Any, version: Any = None) -> Any:
        return self._either("delete_many", keys, version=version)

    def clear(self) -> None:
        self._local.clear()
        self._either("clear")
