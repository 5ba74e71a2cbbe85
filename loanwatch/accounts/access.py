"""Who may use a view. Record-level scope (404 outside it) lives in each app's selectors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .roles import Role

if TYPE_CHECKING:
    from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request past LoginRequiredMiddleware, whose user is signed in: the type of `request` in
    every view that is not `login_not_required`. Only the type checker reads it."""

    user: User


def role_required(*roles: Role) -> Callable:
    """Allow only the given roles; any other signed-in user gets 403 (the page exists for
    others, so hiding it gains nothing). Sign-in itself is enforced by LoginRequiredMiddleware."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if getattr(request.user, "role", None) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = roles  # read by the access-matrix test
        return wrapped

    return decorator


def signed_in_or_401(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For endpoints a page's script calls: a signed-out request gets 401 JSON, which the
    script can tell apart from an answer, instead of the sign-in page it would be redirected
    to (a fetch follows that redirect and reads the sign-in form as if it were the answer)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"error": "signed_out",
                                 "message": _("You are signed out: sign in again.")},
                                status=401)
        return view(request, *args, **kwargs)

    return login_not_required(wrapped)
