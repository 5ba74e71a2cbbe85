from __future__ import annotations

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "loanwatch.accounts"
    label = "accounts"
    verbose_name = _("Users and teams")

    def ready(self) -> None:
        # Each module below loads models, which are not ready when this one is imported.
        from loanwatch.core.audit import register_actions  # noqa: PLC0415  (loads models)

        from .middleware import session_signed_in  # noqa: PLC0415  (loads models)
        from .models import SECURITY_EVENTS  # noqa: PLC0415  (loads models)
        from .second_factor import remember_step  # noqa: PLC0415  (loads models)

        user_logged_in.connect(session_signed_in, dispatch_uid="accounts.session_signed_in")
        # Every sign-in path (the app's page, the Django admin's) owes the same second factor.
        user_logged_in.connect(remember_step, dispatch_uid="accounts.second_factor_step")
        register_actions(SECURITY_EVENTS)
