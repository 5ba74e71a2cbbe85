"""One-time form keys: a double click, a retry after a lost answer or a replay does the work once.

Every form posted from a page carries a hidden `_once` key made when the page was drawn (the
`csrf_token` tag writes it beside the CSRF token: see templatetags/form_keys.py, so no form can
forget it). The first request that sends a key claims it with one INSERT; the view runs; if it
answers with a redirect — the way every successful save here ends — the redirect is kept. A
second request with the same key gets that redirect and a note that its first send was already
applied. A first request that fails (a form error, an exception) gives its key back, so that the
corrected form can be sent again. While the first is still running, the second waits for it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta
from secrets import token_hex
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import FormSubmission

FIELD = "_once"
KEY = re.compile(r"^[0-9a-f]{32}$")
# How long a repeat waits for the first request before saying it is still being handled.
WAIT_SECONDS = 15.0
POLL_SECONDS = 0.1
KEEP = timedelta(days=2)


def new_key() -> str:
    return token_hex(16)


def _claim(user_id: int, key: str, path: str) -> bool:
    try:
        with transaction.atomic():
            FormSubmission.objects.create(user_id=user_id, key=key, path=path[:300])
    except IntegrityError:
        return False
    return True


def _first_answer(user_id: int, key: str, path: str) -> str | None:
    """Wait for the request that claimed the key; its redirect, or None when it gave the key
    back (then this request claims it and runs)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        row = FormSubmission.objects.filter(user_id=user_id, key=key).values_list(
            "location", flat=True).first()
        if row is None:
            if _claim(user_id, key, path):
                return None
        elif row:
            return row
        time.sleep(POLL_SECONDS)
    return ""


class OnceMiddleware:
    """Place after CsrfViewMiddleware and AuthenticationMiddleware: a post CSRF refuses never
    reaches process_view here, so only a genuine, signed-in post claims a key."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        claimed = getattr(request, "_once_claimed", None)
        if claimed is not None:
            user_id, key = claimed
            if response.status_code in (301, 302, 303) and response.get("Location"):
                FormSubmission.objects.filter(user_id=user_id, key=key).update(
                    location=response["Location"][:2000])
            else:
                FormSubmission.objects.filter(user_id=user_id, key=key).delete()
        return response

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any,
                     kwargs: Any) -> HttpResponse | None:
        if request.method != "POST" or not request.user.is_authenticated:
            return None
        key = request.POST.get(FIELD, "")
        if not KEY.match(key):
            return None
        user_id = request.user.pk
        if not _claim(user_id, key, request.path):
            location = _first_answer(user_id, key, request.path)
            if location:
                messages.info(request, _("This form was already sent; here is its result."))
                return HttpResponseRedirect(location)
            if location == "":
                return HttpResponse(render_to_string("core/still_sending.html", request=request),
                                    status=409)
        # An exception reaches __call__ as a 500 response, which gives the key back.
        request._once_claimed = (user_id, key)  # type: ignore[attr-defined]
        return None


def forget_old() -> int:
    """Keys older than two days: no retry comes back that late. Run daily."""
    deleted, _rows = FormSubmission.objects.filter(claimed_at__lt=timezone.now() - KEEP).delete()
    return deleted
