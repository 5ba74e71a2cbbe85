"""Passwords nobody may choose: the demo password is printed in the README."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from loanwatch.core.demo import DEMO_PASSWORD


class PublishedPasswordValidator:
    """Refuses the published demo password for any account set through the application.

    The demo loader sets it without validators, so a demo still works; everywhere else it is
    refused, whatever the case of its letters."""

    def validate(self, password: str, user=None) -> None:
        if password.casefold() == DEMO_PASSWORD.casefold():
            raise ValidationError(
                _("This password is published with the demo and cannot be used."),
                code="password_published",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be the published demo password.")
