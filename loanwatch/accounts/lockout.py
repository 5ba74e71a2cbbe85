"""Sign-in lockout that an attacker cannot turn against the bank's own users.

django-axes counts failed sign-ins per pair of username and client address
(`AXES_LOCKOUT_PARAMETERS`): `LOGIN_FAILURE_LIMIT` failures lock that username *from that address*
only. An attacker elsewhere cannot lock a user out, and one clumsy colleague does not lock out the
branch that shares their address. The handler below adds a second rule: an address that failed
`LOGIN_ADDRESS_FAILURE_LIMIT` times, whatever usernames it tried, is refused as a whole, so that
guessing many usernames from one address stops there.

Both rules count the failures whose latest attempt lies within the cool-off time; a failure
during a lock counts too, so a lock lasts until its address has been quiet for the cool-off time.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import datetime

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

logger = logging.getLogger(__name__)


def client_address(request: HttpRequest) -> str | None:
    """The address a request came from, as the lockout counts it.

    REMOTE_ADDR unless `TRUSTED_PROXY_COUNT` reverse proxies stand in front of LoanWatch: each
    appends the address it was reached from to X-Forwarded-For, so the client is the entry that
    many places from the end. Entries further left were written by the client itself and prove
    nothing; with no trusted proxy the header is ignored, or anyone could choose their address.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        # The request did not pass through every trusted proxy; its peer is all we know.
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        logger.warning("X-Forwarded-For entry %r is not an address; using REMOTE_ADDR", candidate)
        return remote


def address_failures(*, ip_address: str | None, since: datetime) -> int:
    """Failed sign-ins from one address, with any usernames, still within the cool-off time."""
    total = AccessAttempt.objects.filter(
        ip_address=ip_address, attempt_time__gte=since,
    ).aggregate(n=Sum("failures_since_start"))["n"]
    return total or 0


def address_is_locked(*, ip_address: str | None, since: datetime | None = None) -> bool:
    if since is None:
        since = timezone.now() - settings.AXES_COOLOFF_TIME
    return address_failures(ip_address=ip_address, since=since) >= (
        settings.LOGIN_ADDRESS_FAILURE_LIMIT)


class SignInLockoutHandler(AxesDatabaseHandler):
    """axes' database handler with the address rule.

    axes compares one failure count with one limit; an address over its own limit is reported as
    having reached the username limit, so axes refuses it, shows the lockout page and logs it
    exactly as it does a locked username.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if address_is_locked(ip_address=request.axes_ip_address,
                             since=get_cool_off_threshold(request)):
            return max(failures, get_failure_limit(request, credentials))
        return failures

