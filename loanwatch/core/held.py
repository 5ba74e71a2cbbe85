"""Nothing typed is lost to an idle-out: a form sent after the session expired is kept.

A signed cookie remembers who was signed in on this browser (only their id, signed, for the
session's absolute lifetime; removed at sign-out). When a post arrives without a session — it
idled out while the user was typing — and that cookie names a user, the post's fields are kept
server-side for that user alone, and the sign-in page leads, once they are back, to a page that
shows what was kept and sends it again to where it was going, with a fresh CSRF token and
one-time key: the view handles it as any post, version checks included. Files cannot be kept
(the page says so). What is kept is deleted once applied or discarded, and after two hours.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from secrets import token_hex
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_out
from django.core import signing
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .models import HeldPost

COOKIE = "loanwatch_signed_in_user"
SALT = "loanwatch.core.held"
FIELD = "_held"
KEEP = timedelta(hours=2)
# Never kept: the CSRF token (a new one is issued) and the one-time key (a new one is drawn).
DROPPED = {"csrfmiddlewaretoken", "_once"}


def _last_user(request: HttpRequest) -> int | None:
    try:
        value = request.get_signed_cookie(COOKIE, salt=SALT,
                                          max_age=settings.SESSION_ABSOLUTE_SECONDS)
    except (KeyError, signing.BadSignature, ValueError):
        return None
    return int(value) if value and value.isdigit() else None


@receiver(user_logged_out)
def _forget_on_sign_out(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    # Signing out on purpose ends the offer: a post after that is not this user's typing.
    if request is not None:
        request._forget_signed_in_user = True  # type: ignore[attr-defined]


def held_for(*, user: Any, token: str) -> HeldPost | None:
    return (HeldPost.objects.filter(user=user, token=token,
                                    held_at__gte=timezone.now() - KEEP).first())


def forget_old() -> int:
    deleted, _rows = HeldPost.objects.filter(held_at__lt=timezone.now() - KEEP).delete()
    return deleted


class HeldPostMiddleware:
    """Place after AuthenticationMiddleware and before LoginRequiredMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "_forget_signed_in_user", False):
            response.delete_cookie(COOKIE)
        elif request.user.is_authenticated and _last_user(request) != request.user.pk:
            response.set_signed_cookie(COOKIE, str(request.user.pk), salt=SALT,
                                       max_age=settings.SESSION_ABSOLUTE_SECONDS,
                                       httponly=True, samesite="Lax",
                                       secure=settings.SESSION_COOKIE_SECURE)
        held = getattr(request, "_applied_held", None)
        if held is not None and response.status_code in (301, 302, 303):
            held.delete()  # sent again and accepted
        return response

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any,
                     kwargs: Any) -> HttpResponse | None:
        if request.method != "POST":
            return None
        if request.user.is_authenticated:
            token = request.POST.get(FIELD, "")
            if token:
                request._applied_held = held_for(user=request.user,  # type: ignore[attr-defined]
                                                 token=token)
            return None
        if not getattr(view, "login_required", True):
            return None  # the sign-in page itself, health checks…
        user_id = _last_user(request)
        if user_id is None:
            return None
        data = {key: values for key, values in request.POST.lists() if key not in DROPPED}
        held = HeldPost.objects.create(user_id=user_id, token=token_hex(16),
                                       path=request.path[:300], data=data,
                                       had_files=bool(request.FILES))
        messages.warning(request, _("You were signed out after a period of inactivity. Sign in "
                                    "again: what you just sent is kept, and you can send it "
                                    "then."))
        after = reverse("core:held_post", kwargs={"token": held.token})
        return redirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': after})}")
