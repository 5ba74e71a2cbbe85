"""System checks of a deployment (`manage.py check --deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DatabaseError

from loanwatch.accounts.passwords import DEMO_PASSWORD, DEMO_USERNAMES

DEMO_LOGIN_CHECK_ID = "core.E001"


@register(Tags.security, deploy=True)
def demo_password_check(app_configs=None, **kwargs) -> list[CheckMessage]:
    """A production configuration (DEBUG off) on which a demo user still signs in with the
    password printed in the README: anyone who has read it is an administrator there.

    Only the demo's own usernames are tried, so the check costs a few password hashes however
    many users the bank has; the hash is compared without the rehash-and-save of
    `User.check_password`, so a check never writes."""
    if settings.DEBUG:
        return []
    usernames = list(DEMO_USERNAMES)
    try:
        rows = list(get_user_model().objects.filter(username__in=usernames, is_active=True)
                    .values_list("username", "password"))
    except DatabaseError:
        # No database to ask (an image being built, a server not migrated yet): nobody can
        # sign in with anything, and the check runs again against the real one.
        return []
    found = sorted(name for name, encoded in rows if check_password(DEMO_PASSWORD, encoded))
    if not found:
        return []
    return [Error(
        f"Active users sign in with the published demo password: {', '.join(found)}.",
        hint="Deactivate them or give each a password of its own (`manage.py changepassword "
             "<username>`). Demo data belongs in the embedded database or a demo server only.",
        id=DEMO_LOGIN_CHECK_ID,
    )]
