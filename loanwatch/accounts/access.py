"""Who may use a view. Record-level scope (404 outside it) lives in each app's selectors."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

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
