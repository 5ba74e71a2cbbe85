from __future__ import annotations

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from loanwatch.core.concurrency import Versioned
from loanwatch.formats import amounts

from .roles import Role


@pghistory.track()
class Team(Versioned):
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


class LoanWatchUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `manage.py createsuperuser` makes a working LoanWatch administrator, role included.
        extra_fields.setdefault("role", Role.ADMIN)
        user = super().create_superuser(username, email, password, **extra_fields)
        user.groups.add(Group.objects.get(name=Role.ADMIN.value))
        return user


# Security actions that change no visible column, recorded in the user's trail by
# services with `pghistory.create_event` (who did it comes from the request's context).
SECURITY_EVENTS = {
    "password_set": _("password set by an administrator"),
    "password_changed": _("password changed by its owner"),
    "second_factor_enrolled": _("second factor enrolled"),
    "second_factor_removed": _("second factor removed"),
    "second_factor_reset": _("second factor reset by an administrator"),
    "recovery_codes_renewed": _("recovery codes renewed"),
    "sign_in_unlocked": _("sign-in unlocked"),
}
# The event written when an administrator lifts a user's sign-in locks.
SIGN_IN_UNLOCKED = "sign_in_unlocked"


# Password hashes and login times stay out of the trail; logins are logged on their own.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(condition=pghistory.AnyChange()),
    pghistory.DeleteEvent(),
    *(pghistory.ManualEvent(label) for label in SECURITY_EVENTS),
    exclude=["password", "last_login"],
)
class User(AbstractUser, Versioned):
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
    # The role decides what the user may do; the group of the same name carries its Django
    # permissions. Both are set together by services.user_create / user_update. Keeping the role
    # on the row puts role changes in the audit trail and saves a query on every request.
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    # Set by an administrator: this supervisor or administrator must sign in with a TOTP code.
    otp_required = models.BooleanField(_("second factor required"), default=False)
    # Set when an administrator chose the password: its owner must replace it at the next
    # sign-in, so that nobody else knows the password behind an account's actions.
    password_change_required = models.BooleanField(_("must change password"), default=False)
    # The language of the user's last sign-in: mail to them is written in it.
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    # How the user reads amounts on pages: in yuan or in ten thousand yuan (万元).
    amount_unit = models.CharField(_("amounts in"), max_length=10, choices=amounts.UNITS,
                                   default=amounts.YUAN)

    objects = LoanWatchUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_officer(self) -> bool:
        return self.role == Role.OFFICER

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_bank_admin(self) -> bool:
        return self.role == Role.ADMIN
