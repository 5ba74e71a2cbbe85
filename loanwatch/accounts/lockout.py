"""Sign-in lockout that an attacker cannot turn against the bank's own users.

django-axes counts failed sign-ins per pair of username and client address
(`AXES_LOCKOUT_PARAMETERS`): `LOGIN_FAILURE_LIMIT` failures lock that username *from that address*
only. An attacker elsewhere cannot lock a user out, and one clumsy colleague does not lock out the
branch that shares their address. The handler below adds a second rule: an address that failed
`LOGIN_ADDRESS_FAILURE_LIMIT` times, whatever usernames it tried, is refused as a whole, so that
guessing many usernames from one address stops there.

Both rules count the failures whose latest attempt lies within the cool-off time; a failure
during a lock counts too, so a lock lasts until its address has been quiet for the cool-off time.

When the failures against an administrator's username reach the lockout limit, from any
addresses, every active administrator is told in the app and by mail, once per cool-off time.
"""

from __future__ import annotations

import ipaddress
import logging
from datetime import datetime

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanwatch.core.models import Notification
from loanwatch.core.services import notification_create

from .models import User
from .roles import Role

logger = logging.getLogger(__name__)

ATTACK_NOTIFICATION = "accounts.sign_in_attack"
ATTACK_WORDING = _(
    "Administrator account %(username)s is under attack: %(failures)s failed sign-ins in the "
    "last %(minutes)s minutes, from %(addresses)s."
)
# Enough to recognise the attacker's addresses without making the mail's subject a list.
ADDRESSES_SHOWN = 5


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
    """axes' database handler with the address rule, and the administrators' alert.

    axes compares one failure count with one limit; an address over its own limit is reported as
    having reached the username limit, so axes refuses it, shows the lockout page and logs it
    exactly as it does a locked username. The alert runs after axes has recorded the failure, so
    it counts the failure that triggered it.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if address_is_locked(ip_address=request.axes_ip_address,
                             since=get_cool_off_threshold(request)):
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None:
            sign_in_attack_alert(username=get_client_username(request, credentials))


def sign_in_attack_alert(*, username: str | None) -> int:
    """Tell every active administrator that an administrator's account is being attacked.

    Called after each failed sign-in. Acts when the failures against an active administrator's
    username, from all addresses together, have reached the lockout limit within the cool-off
    time, and the administrators have not been told about that account within it. Returns how
    many administrators were told. The notifications are the outbox: their mails go out after
    the commit, through the broker or later by the sweep, so a Redis outage never holds up or
    fails the sign-in page.
    """
    if not username:
        return 0
    target = User.objects.filter(username=username, role=Role.ADMIN, is_active=True).first()
    if target is None:
        return 0
    cool_off = settings.AXES_COOLOFF_TIME
    since = timezone.now() - cool_off
    attempts = list(AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
                    .values_list("ip_address", "failures_since_start"))
    failures = sum(count for _, count in attempts)
    if failures < settings.AXES_FAILURE_LIMIT:
        return 0
    addresses = sorted({address or "?" for address, _ in attempts})
    shown = ", ".join(addresses[:ADDRESSES_SHOWN])
    if len(addresses) > ADDRESSES_SHOWN:
        shown += f" (+{len(addresses) - ADDRESSES_SHOWN})"
    with transaction.atomic():
        # Failures arriving together must not each raise the alarm: whoever holds the attacked
        # account's row decides, and the next one sees the notification it wrote.
        User.objects.select_for_update().filter(pk=target.pk).values_list("pk").get()
        already_told = Notification.objects.filter(
            kind=ATTACK_NOTIFICATION, params__user_id=target.pk, created_at__gte=since,
        ).exists()
        if already_told:
            return 0
        admins = list(User.objects.filter(role=Role.ADMIN, is_active=True))
        params = {"user_id": target.pk, "username": username, "failures": failures,
                  "addresses": shown, "minutes": int(cool_off.total_seconds() // 60)}
        url = reverse("accounts:user_detail", args=[target.pk])
        for admin in admins:
            notification_create(recipient=admin, kind=ATTACK_NOTIFICATION, params=params, url=url)
    logger.warning("sign-in attack on administrator %s: %d failures from %s; %d administrators "
                   "told", username, failures, ", ".join(addresses), len(admins))
    return len(admins)
