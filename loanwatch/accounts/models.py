from __future__ import annotations

from functools import cached_property

import pghistory
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import ROLE_ORDER, Role


@pghistory.track()
class Team(models.Model):
    """A branch's post-loan team: its officers, and the supervisors who approve their work."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.CharField(_("region"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


# Password hashes and login times stay out of the trail; logins are logged on their own.
@pghistory.track(exclude=["password", "last_login"])
class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role(self) -> Role | None:
        """The user's widest role, from group membership; superusers act as admins."""
        if self.is_superuser:
            return Role.ADMIN
        names = {g.name for g in self.groups.all()}
        for role in ROLE_ORDER:
            if role.value in names:
                return role
        return None

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_bank_admin(self) -> bool:
        return self.role == Role.ADMIN
