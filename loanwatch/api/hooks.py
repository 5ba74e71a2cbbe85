"""What the API contributes to pages it does not own (docs/architecture.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from loanwatch.accounts.roles import Role
from loanwatch.core import hooks
from loanwatch.core.menu import ADMIN_GROUP, MenuEntry

hooks.register("menu_entries", MenuEntry(label=_("API tokens"), url_name="api_tokens:list",
                                         roles=[Role.ADMIN], group=ADMIN_GROUP), order=90)
