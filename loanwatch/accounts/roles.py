"""The three roles. Each has a Django group of the same name (created by migration 0002) that
carries its permissions; User.role says which one a user has."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("Loan officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")

