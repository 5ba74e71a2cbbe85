from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API for the bank's other systems: tokens, their audit, throttles, cursors and the
    router; each domain app contributes its endpoints through the `api_routes` hook."""

    name = "loanwatch.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from . import schema  # noqa: F401, PLC0415  (registers the token scheme with the schema)
