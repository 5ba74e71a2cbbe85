"""Writes to users and teams. Every change is recorded by the audit triggers, with the acting
user attached by the request's history context."""

from __future__ import annotations

import pghistory
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from loanwatch.core.concurrency import check_and_bump

from . import second_factor
from .models import SIGN_IN_UNLOCKED, Team, User
from .roles import Role


def _check_role_team(*, role: Role, team: Team | None) -> None:
    if role in (Role.OFFICER, Role.SUPERVISOR) and team is None:
        raise ValidationError({"team": _("Officers and supervisors must belong to a team.")})


def _set_role(*, user: User, role: Role) -> None:
    """Role field and group membership change together (the user must be saved already)."""
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    user.groups.add(Group.objects.get(name=role.value))
    user.role = role
    user.is_staff = role == Role.ADMIN  # Django's admin site is for administrators only


@transaction.atomic
def user_create(
    *,
    acting_user: User,
    username: str,
    full_name: str,
    email: str,
    phone: str,
    team: Team | None,
    role: Role,
    password: str,
) -> User:
    _check_role_team(role=role, team=team)
    # The administrator chose this password: its owner replaces it at the first sign-in.
    user = User(username=username, full_name=full_name, email=email, phone=phone, team=team,
                password_change_required=True)
    validate_password(password, user=user)
    user.set_password(password)
    user.save()
    _set_role(user=user, role=role)
    user.save(update_fields=["role", "is_staff"])
    return user


@transaction.atomic
def user_update(
    *,
    acting_user: User,
    user: User,
    full_name: str,
    email: str,
    phone: str,
    team: Team | None,
    role: Role,
    is_active: bool,
    otp_required: bool = False,
    expected_version: int | None = None,
) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    check_and_bump(locked=user, expected=expected_version)
    _check_role_team(role=role, team=team)
    if otp_required and role not in (Role.SUPERVISOR, Role.ADMIN):
        raise ValidationError({"otp_required": _(
            "A second factor can be required of supervisors and administrators only.")})
    if user.pk == acting_user.pk and (not is_active or role != Role.ADMIN):
        raise ValidationError(_("You cannot deactivate yourself or remove your own admin role."))
    user.full_name, user.email, user.phone, user.team = full_name, email, phone, team
    user.is_active = is_active
    user.otp_required = otp_required
    _set_role(user=user, role=role)
    user.save()
    return user


@transaction.atomic
def user_set_password(*, acting_user: User, user: User, password: str) -> None:
    """An administrator sets someone's password (a forgotten one): the owner must replace it at
    the next sign-in."""
    if user.pk == acting_user.pk:
        raise ValidationError(_("Change your own password on your password page."))
    validate_password(password, user=user)
    user.set_password(password)
    user.password_change_required = True
    user.save(update_fields=["password", "password_change_required"])
    # The request's context names the acting user already; this keeps it right in a shell too.
    with pghistory.context(user=acting_user.pk):
        pghistory.create_event(user, label="password_set")


@transaction.atomic
def user_change_own_password(*, user: User, password: str) -> None:
    """The owner's new password (already checked by the form: current one, validators)."""
    user.set_password(password)
    user.password_change_required = False
    user.save(update_fields=["password", "password_change_required"])
    pghistory.create_event(user, label="password_changed")


@transaction.atomic
def user_second_factor_reset(*, acting_user: User, user: User) -> None:
    """An administrator removes a user's authenticator and recovery codes (a lost phone). The
    user signs in with the password alone, or enrols again first if a second factor is
    required; sessions verified with the removed device are held again."""
    if user.pk == acting_user.pk:
        raise ValidationError(_("You cannot reset your own second factor; another "
                                "administrator must."))
    second_factor.devices_delete(user=user)
    with pghistory.context(user=acting_user.pk):
        pghistory.create_event(user, label="second_factor_reset")


@transaction.atomic
def user_unlock(*, acting_user: User, user: User) -> int:
    """Lift every sign-in lock on the user's username, from every address, and record in the
    user's trail which administrator did it and which addresses were cleared. Returns how many
    failure records were cleared. An address refused as a whole (too many failures with any
    usernames) stays refused: it may be an attacker's, and its lock ends by itself."""
    if not acting_user.is_bank_admin:
        raise PermissionDenied
    # The event snapshots the row: read it as it is now, and hold it while the event is written.
    user = User.objects.select_for_update().get(pk=user.pk)
    attempts = AccessAttempt.objects.filter(username=user.username)
    addresses = sorted({a or "?" for a in attempts.values_list("ip_address", flat=True)})
    cleared: int = reset(username=user.username)
    # The request's context already names the acting user; saying it here keeps the record
    # right when the service runs outside a request (a shell, a command).
    with pghistory.context(user=acting_user.pk, unlocked_addresses=addresses):
        pghistory.create_event(user, label=SIGN_IN_UNLOCKED)
    return cleared


@transaction.atomic
def team_save(*, acting_user: User, team: Team | None, code: str, name: str, region: str,
              expected_version: int | None = None) -> Team:
    if team is None:
        team = Team()
    else:
        team = Team.objects.select_for_update().get(pk=team.pk)
        check_and_bump(locked=team, expected=expected_version)
    team.code, team.name, team.region = code, name, region
    team.full_clean()
    team.save()
    return team


def user_remember_language(*, user: User, language: str) -> None:
    if language in dict(settings.LANGUAGES) and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)


def user_preferences_save(*, user: User, amount_unit: str) -> None:
    """The user's own display choices; audited like any change to the user row."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.amount_unit != amount_unit:
            locked.amount_unit = amount_unit
            locked.save(update_fields=["amount_unit"])
            user.amount_unit = amount_unit
