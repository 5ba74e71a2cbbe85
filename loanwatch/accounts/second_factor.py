"""The optional second factor: a time-based one-time code (TOTP) from an authenticator app.

Supervisors and administrators may enrol; an administrator can require it of them. At sign-in,
after the password, a user with a confirmed device is asked for a code; a user who must have one
but has none is sent to enrol first. Until then no other page opens.
"""

from __future__ import annotations

import base64

import segno
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .roles import Role

SESSION_KEY = "second_factor"
VERIFY, ENROL = "verify", "enrol"
ROLES = (Role.SUPERVISOR, Role.ADMIN)


def confirmed_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def needed_at_sign_in(*, user: User) -> str | None:
    """What the session must do before any page opens: verify a code, enrol, or nothing."""
    if confirmed_device(user=user) is not None:
        return VERIFY
    if user.otp_required and user.role in ROLES:
        return ENROL
    return None


@transaction.atomic
def enrolment_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (a fresh secret each time enrolment starts over)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_code_data_uri(*, device: TOTPDevice) -> str:
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def secret_base32(*, device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


@transaction.atomic
def enrol_confirm(*, request: HttpRequest, device_id: int, token: str) -> bool:
    device = TOTPDevice.objects.select_for_update().filter(
        pk=device_id, user=request.user, confirmed=False
    ).first()
    if device is None or not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=request.user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    otp_login(request, device)
    request.session.pop(SESSION_KEY, None)
    return True


def verify(*, request: HttpRequest, token: str) -> bool:
    device = confirmed_device(user=request.user)
    if device is None or not device.verify_token(token):
        return False
    otp_login(request, device)
    request.session.pop(SESSION_KEY, None)
    return True


@transaction.atomic
def remove(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
