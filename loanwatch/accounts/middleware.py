from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from loanwatch.formats.amounts import reading_unit

from . import second_factor

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

PASSWORD_STEP = "password"  # noqa: S105  (a step's name, not a password)

SIGNED_IN_AT = "signed_in_at"
REFRESHED_AT = "refreshed_at"


def session_signed_in(sender, request: HttpRequest, user: User, **kwargs) -> None:
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


class SignInStepsMiddleware:
    """Holds a signed-in session at the steps sign-in still owes, whatever path signed it in:
    first the second factor (a code, or enrolment when one is required and none exists), then
    a new password when an administrator chose the current one. A held session may sign out,
    switch language and do the step; every other request is sent to the step."""

    # Each step's page first; the others are parts of it.
    STEP_VIEWS = {
        second_factor.VERIFY: ("accounts:second_factor_verify",),
        second_factor.ENROL: ("accounts:second_factor",),
        # Recovery codes just made at enrolment are shown before the password is changed.
        PASSWORD_STEP: ("accounts:password_change", "accounts:recovery_codes",
                        "accounts:recovery_codes_done"),
    }
    ALWAYS_ALLOWED = {"accounts:logout", "set_language", "javascript-catalog", "core:healthz"}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            step = second_factor.pending_step(request=request)
            if step is None and request.user.password_change_required:
                step = PASSWORD_STEP
            # The page's menu shows only sign-out while a step is owed.
            request.sign_in_step = step
            if step is not None:
                allowed = self.STEP_VIEWS[step]
                try:
                    name = resolve(request.path_info).view_name
                except Resolver404:
                    name = ""
                if name not in allowed and name not in self.ALWAYS_ALLOWED:
                    return redirect(allowed[0])
        return self.get_response(request)


class AmountUnitMiddleware:
    """Amounts on the page in the unit the signed-in user chose (yuan or ten thousand yuan).

    The user row is already loaded by the sign-in checks before this runs: no query of its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        unit = getattr(user, "amount_unit", None) if user is not None else None
        if not unit:
            return self.get_response(request)
        token = reading_unit.set(unit)
        try:
            return self.get_response(request)
        finally:
            reading_unit.reset(token)
