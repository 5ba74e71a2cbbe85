"""The second factor: a time-based one-time code (TOTP) from an authenticator app, with
single-use recovery codes for a lost phone.

Supervisors and administrators may enrol; an administrator can require it of them. The rule is
one, whatever the sign-in path (the app's page, the Django admin's, a test client): a user who
needs a second factor counts as signed in only once django-otp says the session is verified
(`request.user.is_verified()`). Until then the session is *pending*: it may enter a code (or,
when it has no device yet and one is required, enrol one) or sign out, nothing else.

Enrolling, replacing or removing a device, and new recovery codes, need the password again; a
user who has a device must first be verified, so a stolen password cannot swap the phone.
"""

from __future__ import annotations

import base64

import pghistory
import segno
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import AuthenticatedHttpRequest
from .models import User
from .roles import Role

# The session remembers what its user still owes, tagged with the user row's version: any change
# to the user (role, requirement, an administrator's reset) bumps the version and so makes the
# next request look again. Ordinary requests of a settled session cost no query.
SESSION_KEY = "second_factor"
ENROLMENT_DEVICE_KEY = "enrolment_device"
RECOVERY_CODES_KEY = "recovery_codes_to_show"
VERIFY, ENROL = "verify", "enrol"
ROLES = (Role.SUPERVISOR, Role.ADMIN)
RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery codes"


def confirmed_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def needed_step(*, user: User) -> str | None:
    """What an unverified session of this user must do: verify a code, enrol, or nothing.

    Anyone with a confirmed authenticator is asked for its code, whatever their role now."""
    if confirmed_device(user=user) is not None:
        return VERIFY
    if user.otp_required and user.role in ROLES:
        return ENROL
    return None


def pending_step(*, request: AuthenticatedHttpRequest) -> str | None:
    """The step this signed-in session still owes, or None when it is fully signed in."""
    user = request.user
    # django-otp's middleware gives request.user is_verified(); right after login() in the
    # same request the user object is the plain one, which is not verified yet.
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return None
    remembered = request.session.get(SESSION_KEY)
    if isinstance(remembered, list) and len(remembered) == 2 and remembered[0] == user.version:
        return remembered[1]
    step = needed_step(user=user)
    request.session[SESSION_KEY] = [user.version, step]
    return step


def remember_step(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """On every sign-in (whatever the path): work out the step now, while the session is being
    written anyway, rather than on the first page."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = [user.version, needed_step(user=user)]


def password_is_right(*, request: HttpRequest, password: str) -> bool:
    """Asks again for the signed-in user's password. Through `authenticate`, so that failures
    here count towards the sign-in lockout like any other."""
    user = request.user
    return authenticate(request, username=user.get_username(), password=password) == user


@transaction.atomic
def enrolment_device(*, user: User) -> TOTPDevice:
    """A new unconfirmed device (a fresh secret each time enrolment starts over)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_code_data_uri(*, device: TOTPDevice) -> str:
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def secret_base32(*, device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


def _new_recovery_codes(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _bump(user: User) -> None:
    # A new version makes every other session of this user look again at what it owes.
    User.objects.filter(pk=user.pk).update(version=user.version + 1)
    user.version += 1


@transaction.atomic
def enrol_confirm(*, request: AuthenticatedHttpRequest, device_id: int,
                  token: str) -> list[str] | None:
    """Confirms the device being enrolled with its first code; it replaces any earlier one.
    Returns the new recovery codes (to be shown once), or None when the code is wrong."""
    user = request.user
    device = TOTPDevice.objects.select_for_update().filter(
        pk=device_id, user=user, confirmed=False
    ).first()
    if device is None or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user=user)
    _bump(user)
    pghistory.create_event(user, label="second_factor_enrolled")
    otp_login(request, device)
    request.session[SESSION_KEY] = [user.version, None]
    return codes


def _use_recovery_code(*, device: StaticDevice, token: str) -> bool:
    # One DELETE decides, so two requests racing with the same code cannot both pass.
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        return False
    if StaticToken.objects.filter(device=device, token=token).delete()[0]:
        device.throttle_reset()
        return True
    device.throttle_increment()
    return False


def verify(*, request: AuthenticatedHttpRequest, token: str) -> StaticDevice | TOTPDevice | None:
    """Checks a code from the app, or a recovery code (used up); the session is then verified.

    django-otp throttles each device after a failure (the wait doubles each time), so codes
    cannot be guessed at speed."""
    user = request.user
    token = token.strip().replace(" ", "").replace("-", "").lower()
    if token.isdigit():
        device = confirmed_device(user=user)
        if device is None or not device.verify_token(token):
            return None
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if device is None or not _use_recovery_code(device=device, token=token):
            return None
    otp_login(request, device)
    request.session[SESSION_KEY] = [user.version, None]
    return device


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    codes = _new_recovery_codes(user=user)
    pghistory.create_event(user, label="recovery_codes_renewed")
    return codes


def devices_delete(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _bump(user)


@transaction.atomic
def remove(*, user: User) -> None:
    """The user's own removal (only when no administrator requires a second factor)."""
    devices_delete(user=user)
    pghistory.create_event(user, label="second_factor_removed")
