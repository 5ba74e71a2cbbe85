from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from loanwatch.accounts.roles import Role

from . import hooks
from .menu import MenuEntry


class CoreConfig(AppConfig):
    name = "loanwatch.core"
    label = "core"
    verbose_name = _("System")

    def ready(self) -> None:
        from . import (  # noqa: PLC0415  (these read models, which load after this module)
            checks,  # noqa: F401  (registers the deployment checks)
            tasks,
            worker_signals,  # noqa: F401  (connects the worker's heartbeat)
        )

        # Core's own contributions; its hooks module is the registry itself.
        hooks.register("menu_entries", MenuEntry(label=_("Charts"), url_name="core:dashboard",
                                                 roles=Role.values), order=20)
        # A run left "running" by a worker that died is failed when a worker or beat starts.
        hooks.register("periodic_catch_up", tasks.runs_fail_stale.delay)
        hooks.autodiscover()
