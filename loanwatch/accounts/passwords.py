"""Passwords nobody may choose: the demo password is printed in the README."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

# The demo's logins and their password, documented in README.md ("Demo logins"): kept in the
# product, not with the demo loader, so that the product refuses the password (and the deploy
# check finds these users) on an installation without the development tools.
DEMO_PASSWORD = "LoanWatch-demo-2026"  # noqa: S105
DEMO_USERNAMES = ("admin", "supervisor1", "supervisor2", "officer1", "officer2", "officer3",
                  "officer4")


class PublishedPasswordValidator:
    """Refuses the published demo password for any account set through the application.

    The demo loader sets it without validators, so a demo still works; everywhere else it is
    refused, whatever the case of its letters."""

    def validate(self, password: str, user: User | None = None) -> None:
        if password.casefold() == DEMO_PASSWORD.casefold():
            raise ValidationError(
                _("This password is published with the demo and cannot be used."),
                code="password_published",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be the published demo password.")
