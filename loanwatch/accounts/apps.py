from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "loanwatch.accounts"
    label = "accounts"
    verbose_name = _("Users and teams")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import session_signed_in

        user_logged_in.connect(session_signed_in, dispatch_uid="accounts.session_signed_in")

        from loanwatch.core import audit, notifications

        from .lockout import ATTACK_NOTIFICATION, ATTACK_WORDING
        from .models import SIGN_IN_UNLOCKED

        audit.register_action(SIGN_IN_UNLOCKED, _("sign-in unlocked"))
        notifications.register(ATTACK_NOTIFICATION, ATTACK_WORDING)
