from __future__ import annotations

from django.http import HttpRequest

from loanwatch.accounts.roles import Role

from . import menu


def navigation(request: HttpRequest) -> dict:
    """The role of the signed-in user and the menu entries that role may use."""
    user = getattr(request, "user", None)
    role = Role(user.role) if user is not None and user.is_authenticated and user.role else None
    return {"role": role, "Role": Role,
            "menu_entries": menu.entries_for(role),
            "admin_menu_entries": menu.entries_for(role, group=menu.ADMIN_GROUP)}
