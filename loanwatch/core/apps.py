from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "loanwatch.core"
    label = "core"
    verbose_name = _("System")

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the deployment checks)
            worker_signals,  # noqa: F401  (connects the worker's heartbeat)
        )
