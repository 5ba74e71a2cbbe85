from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SIGNED_IN_AT = "signed_in_at"
REFRESHED_AT = "refreshed_at"


def session_signed_in(sender, request: HttpRequest, user, **kwargs) -> None:
    """Sign-in starts the absolute lifetime and, as it saves the session, the idle one."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[REFRESHED_AT] = now


class SessionLifetimeMiddleware:
    """Ends a session SESSION_ABSOLUTE_SECONDS after sign-in, however active it has been, and
    keeps the idle timeout (SESSION_COOKIE_AGE) moving with the user's requests.

    The absolute limit is what a bank asks for, so that a stolen session cannot be kept alive
    forever. The idle timeout is Django's own expiry, pushed forward by saving the session; a
    save on every request would cost every page three queries, so it is saved when its last
    push is older than SESSION_REFRESH_SECONDS. A session thus idles out between
    SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after its last request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        now = time.time()
        if request.user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            if started is None:
                request.session[SIGNED_IN_AT] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        if request.session.session_key:
            refreshed = request.session.get(REFRESHED_AT)
            if refreshed is None or not 0 <= now - refreshed < settings.SESSION_REFRESH_SECONDS:
                request.session[REFRESHED_AT] = now  # modified: saved with a new expiry
        return self.get_response(request)


class SecondFactorMiddleware:
    """Holds a signed-in session at the code (or enrolment) page until the second factor is
    done. The session remembers what is needed, so ordinary requests cost no query."""

    ALLOWED = ("accounts:second_factor_verify", "accounts:second_factor", "accounts:logout",
               "set_language", "core:healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.urls import Resolver404, resolve

        from .second_factor import ENROL, SESSION_KEY

        needed = request.session.get(SESSION_KEY) if request.user.is_authenticated else None
        if needed and not request.path.startswith(settings.STATIC_URL):
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = ""
            if name not in self.ALLOWED:
                target = "accounts:second_factor" if needed == ENROL else \
                    "accounts:second_factor_verify"
                return redirect(target)
        return self.get_response(request)
