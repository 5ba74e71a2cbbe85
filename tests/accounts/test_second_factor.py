"""TOTP second factor: enrolment, the code at sign-in, and an administrator requiring it."""

from __future__ import annotations

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..factories import TEST_PASSWORD


def _code(device: TOTPDevice, drift: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                 drift=drift)
    return f"{value:06d}"


def _enrol(client) -> TOTPDevice:
    page = client.get(reverse("accounts:second_factor"))
    assert 'id="qr-code"' in page.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(reverse("accounts:second_factor"),
                           {"action": "confirm", "code": _code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def _sign_in(client, user):
    return client.post(reverse("accounts:login"),
                       {"username": user.username, "password": TEST_PASSWORD})


def test_supervisor_enrols_then_needs_the_code_at_sign_in(supervisor_client, supervisor, client):
    device = _enrol(supervisor_client)
    response = _sign_in(client, supervisor)
    assert response["Location"] == reverse("accounts:second_factor_verify")
    # No page opens before the code.
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:second_factor_verify")
    # The app's next code (within the allowed drift): the enrolment's own cannot be replayed.
    right = client.post(reverse("accounts:second_factor_verify"),
                        {"code": _code(device, drift=1)})
    assert right.status_code == 302
    assert 'id="supervisor-home"' in client.get(reverse("core:home")).content.decode()


def test_user_without_device_signs_in_with_password_alone(client, supervisor):
    response = _sign_in(client, supervisor)
    assert response["Location"] == reverse("core:home")


def test_required_second_factor_sends_to_enrolment_and_cannot_be_removed(
    admin_client_, supervisor, client
):
    admin_client_.post(reverse("accounts:user_detail", args=[supervisor.pk]), {
        "full_name": supervisor.full_name, "email": supervisor.email, "phone": "",
        "role": "supervisor", "team": supervisor.team_id, "is_active": "on",
        "otp_required": "on",
    })
    supervisor.refresh_from_db()
    assert supervisor.otp_required
    response = _sign_in(client, supervisor)
    assert response["Location"] == reverse("accounts:second_factor")
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:second_factor")
    _enrol(client)
    client.post(reverse("accounts:second_factor"), {"action": "remove"})
    assert TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()


def test_officers_cannot_be_required_to_use_it(admin_client_, officer):
    response = admin_client_.post(reverse("accounts:user_detail", args=[officer.pk]), {
        "full_name": officer.full_name, "email": officer.email, "phone": "",
        "role": "officer", "team": officer.team_id, "is_active": "on", "otp_required": "on",
    })
    assert response.status_code == 200
    officer.refresh_from_db()
    assert not officer.otp_required


def test_wrong_and_replayed_codes_are_refused(supervisor_client, supervisor, client):
    device = _enrol(supervisor_client)
    _sign_in(client, supervisor)
    for code in (_code(device), "12345x", f"{(int(_code(device, drift=1)) + 1) % 10**6:06d}"):
        response = client.post(reverse("accounts:second_factor_verify"), {"code": code})
        assert response.status_code == 200, code
        assert "invalid-feedback" in response.content.decode()
    assert client.get(reverse("core:home")).status_code == 302
