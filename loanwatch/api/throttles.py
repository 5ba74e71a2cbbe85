"""Rate limits per token, counted in Redis (the "throttle" cache) so that every web process
shares one count. A refused call gets 429 with Retry-After."""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken

log = logging.getLogger(__name__)


class TokenRateThrottle(SimpleRateThrottle):
    """The view's `throttle_scope` names the rate (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])."""

    def __init__(self) -> None:
        self.cache = caches["throttle"]
        super().__init__()

    def get_rate(self) -> str | None:
        return None  # read in allow_request, once the view (and so its scope) is known

    def allow_request(self, request: Request, view: Any) -> bool:
        self.scope = getattr(view, "throttle_scope", None)
        if not self.scope:
            return True
        self.rate = self.THROTTLE_RATES.get(self.scope)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - the count's store is down
            # Redis down: the limit protects the database from a runaway client; refusing every
            # integration while the cache is out would do more harm than one night unlimited.
            log.warning("API throttle not counted: the throttle cache is unavailable",
                        exc_info=True)
            return True

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request.auth
        if not isinstance(token, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}
