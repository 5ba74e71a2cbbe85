from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "loanwatch.core"
    label = "core"
    verbose_name = _("System")

    def ready(self) -> None:
        from loanwatch.accounts.roles import Role

        from . import (
            checks,  # noqa: F401  (registers the deployment checks)
            hooks,
            worker_signals,  # noqa: F401  (connects the worker's heartbeat)
        )
        from .menu import MenuEntry

        # Core's own contributions; its hooks module is the registry itself.
        hooks.register("menu_entries", MenuEntry(label=_("Charts"), url_name="core:dashboard",
                                                 roles=Role.values), order=20)
        hooks.autodiscover()
