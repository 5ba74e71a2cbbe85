from __future__ import annotations

from django.http import HttpRequest

from loanwatch.accounts.roles import Role


def navigation(request: HttpRequest) -> dict:
    """The role of the signed-in user, so that the menu shows only what the role may use."""
    user = getattr(request, "user", None)
    role = Role(user.role) if user is not None and user.is_authenticated and user.role else None
    return {"role": role, "Role": Role}
