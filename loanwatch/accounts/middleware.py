from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

SIGNED_IN_AT = "signed_in_at"


class SessionLifetimeMiddleware:
    """Ends a session SESSION_ABSOLUTE_SECONDS after sign-in, however active it has been.

    The idle timeout is Django's own (SESSION_COOKIE_AGE with SESSION_SAVE_EVERY_REQUEST); this
    adds the absolute limit a bank asks for, so a stolen session cannot be kept alive forever.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            now = time.time()
            if started is None:
                request.session[SIGNED_IN_AT] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
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
