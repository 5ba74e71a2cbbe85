"""What accounts contribute to pages and jobs they do not own (see loanwatch/core/hooks.py and
docs/architecture.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from loanwatch.core import hooks
from loanwatch.core.menu import ADMIN_GROUP, MenuEntry

from .lockout import ATTACK_NOTIFICATION, ATTACK_WORDING
from .roles import Role

hooks.register("menu_entries", MenuEntry(label=_("Users"), url_name="accounts:user_list",
                                         roles=[Role.ADMIN], group=ADMIN_GROUP), order=10)
hooks.register("menu_entries", MenuEntry(label=_("Teams"), url_name="accounts:team_list",
                                         roles=[Role.ADMIN], group=ADMIN_GROUP), order=20)

hooks.register("notification_kinds", (ATTACK_NOTIFICATION, ATTACK_WORDING))
