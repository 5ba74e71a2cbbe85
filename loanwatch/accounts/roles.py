"""The three roles. Each is a Django group (created by migration 0002) carrying its permissions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("Loan officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


# Highest first: a user in several groups acts with the widest role.
ROLE_ORDER = (Role.ADMIN, Role.SUPERVISOR, Role.OFFICER)
