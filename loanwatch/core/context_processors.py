from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest

from loanwatch.accounts.middleware import REFRESHED_AT
from loanwatch.accounts.roles import Role

from . import menu


def navigation(request: HttpRequest) -> dict:
    """The role of the signed-in user and the menu entries that role may use."""
    user = getattr(request, "user", None)
    role = Role(user.role) if user is not None and user.is_authenticated and user.role else None
    return {"role": role, "Role": Role,
            "menu_entries": menu.entries_for(role),
            "admin_menu_entries": menu.entries_for(role, group=menu.ADMIN_GROUP)}


def session_timer(request: HttpRequest) -> dict:
    """Seconds until the session idles out, for the page's warning (static/loanwatch/session.js):
    the expiry moves when the session is saved, which REFRESHED_AT records."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    refreshed = request.session.get(REFRESHED_AT) or time.time()
    return {"session_remaining": max(0, int(refreshed + settings.SESSION_COOKIE_AGE
                                            - time.time()))}
