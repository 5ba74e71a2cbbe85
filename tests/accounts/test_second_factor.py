"""The second factor: enrolment with the password again, the code (or a recovery code) at
sign-in whatever the sign-in path, an administrator requiring or resetting it — and the attacks
that hold a password but not the phone."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from loanwatch.accounts.second_factor import RECOVERY_CODE_COUNT
from loanwatch.core.audit import history_for as _history_for

from ..factories import TEST_PASSWORD


def history_for(*, obj):
    with translation.override("en"):
        return _history_for(obj=obj)


VERIFY_URL = "/accounts/second-factor/verify/"
ENROL_URL = "/accounts/second-factor/"


def _code(device: TOTPDevice, drift: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                 drift=drift)
    return f"{value:06d}"


def _enrol(client) -> tuple[TOTPDevice, list[str]]:
    """Enrols through the pages; returns the device and the recovery codes shown once."""
    page = client.get(reverse("accounts:second_factor"))
    assert 'id="qr-code"' in page.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(reverse("accounts:second_factor"), {
        "action": "confirm", "code": _code(device), "password": TEST_PASSWORD})
    assert response["Location"] == reverse("accounts:recovery_codes")
    shown = client.get(reverse("accounts:recovery_codes"))
    codes = [li.split("<")[0] for li in shown.content.decode().split(
        'id="recovery-codes">')[1].split("</ul>")[0].split('<li class="col">')[1:]]
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


def _sign_in(client, user):
    return client.post(reverse("accounts:login"),
                       {"username": user.username, "password": TEST_PASSWORD})


@pytest.fixture
def enrolled(supervisor, supervisor_client):
    device, codes = _enrol(supervisor_client)
    return device, codes


@pytest.fixture
def pending(client, supervisor, enrolled):
    """A session that has the password but not the phone."""
    response = _sign_in(client, supervisor)
    assert response["Location"] == VERIFY_URL
    return client


def test_supervisor_enrols_then_needs_the_code_at_sign_in(pending, enrolled):
    device, _codes = enrolled
    assert pending.get(reverse("core:home"))["Location"] == VERIFY_URL
    # The app's next code (within the allowed drift): the enrolment's own cannot be replayed.
    right = pending.post(VERIFY_URL, {"code": _code(device, drift=1)})
    assert right["Location"] == reverse("core:home")
    assert 'id="supervisor-home"' in pending.get(reverse("core:home")).content.decode()


def test_the_page_asked_for_before_sign_in_opens_after_the_code(client, supervisor, enrolled):
    device, _codes = enrolled
    response = client.post(reverse("accounts:login") + "?next=/reports/", {
        "username": supervisor.username, "password": TEST_PASSWORD})
    assert response["Location"] == VERIFY_URL
    assert client.post(VERIFY_URL, {"code": _code(device, drift=1)})["Location"] == "/reports/"


def test_enrolment_needs_the_password_again(supervisor_client, supervisor):
    supervisor_client.get(reverse("accounts:second_factor"))
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    response = supervisor_client.post(reverse("accounts:second_factor"), {
        "action": "confirm", "code": _code(device), "password": "not-the-password"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()
    # The same secret is shown again, so the phone that scanned it still matches.
    assert TOTPDevice.objects.get(user=supervisor, confirmed=False).pk == device.pk
    retry = supervisor_client.post(reverse("accounts:second_factor"), {
        "action": "confirm", "code": _code(device), "password": TEST_PASSWORD})
    assert retry["Location"] == reverse("accounts:recovery_codes")


def test_a_pending_session_cannot_replace_the_phone(pending, enrolled, supervisor):
    """The attack: password known, phone not. Replacing the device must not be a way in."""
    device, _codes = enrolled
    for data in ({"action": "replace"}, {"action": "remove", "password": TEST_PASSWORD},
                 {"action": "renew_codes", "password": TEST_PASSWORD}):
        response = pending.post(ENROL_URL, data)
        assert response["Location"] == VERIFY_URL, data
    assert pending.get(ENROL_URL)["Location"] == VERIFY_URL
    assert not TOTPDevice.objects.filter(user=supervisor, confirmed=False).exists()
    # A device the attacker made some other way cannot be confirmed from this session either.
    planted = TOTPDevice.objects.create(user=supervisor, name="attacker", confirmed=False)
    session = pending.session
    session["enrolment_device"] = planted.pk
    session.save()
    response = pending.post(ENROL_URL, {"action": "confirm", "code": _code(planted),
                                        "password": TEST_PASSWORD})
    assert response["Location"] == VERIFY_URL
    planted.refresh_from_db()
    assert not planted.confirmed
    assert TOTPDevice.objects.get(user=supervisor, confirmed=True).pk == device.pk
    # Still held; the real phone still works.
    for path in ("/", "/reports/", "/customers/", "/accounts/password/",
                 reverse("accounts:recovery_codes")):
        assert pending.get(path)["Location"] == VERIFY_URL, path
    assert pending.post(VERIFY_URL, {"code": _code(device, drift=1)}).status_code == 302
    assert pending.get("/reports/").status_code == 200


def test_a_pending_session_reaches_no_page_of_the_app(pending):
    """Every named URL of the app, with made-up arguments: only the code page, sign-out,
    the language switch and the health check answer; the rest send the session to the code."""
    allowed = {"accounts:second_factor_verify", "accounts:logout", "set_language",
               "javascript-catalog", "core:healthz", "core:ping", "admin_sign_in"}

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
                yield from walk(entry.url_patterns, ns)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{prefix}{entry.name}", entry

    checked = 0
    for name, entry in walk(get_resolver().url_patterns):
        if name.startswith("admin:") or name in allowed:
            continue
        kwargs = {key: ("1" if "<int" in str(entry.pattern) else "x")
                  for key in entry.pattern.regex.groupindex}
        try:
            path = reverse(name, kwargs=kwargs)
        except Exception:  # noqa: S112  (a converter that takes neither value: skip it)
            continue
        for method in ("get", "post"):
            response = getattr(pending, method)(path)
            assert response.status_code == 302 and response["Location"] == VERIFY_URL, \
                (method, path, response.status_code)
        checked += 1
    assert checked > 50
    assert pending.get("/django-admin/")["Location"] == VERIFY_URL
    assert pending.get("/django-admin/accounts/user/")["Location"] == VERIFY_URL


def test_any_sign_in_path_owes_the_code(supervisor, enrolled):
    """A session signed in by something other than the app's page (here Django's own login())
    is held all the same: the rule lives in the middleware, not in one view."""
    client = Client()
    client.force_login(supervisor)
    assert client.get(reverse("core:home"))["Location"] == VERIFY_URL
    assert client.get("/accounts/users/")["Location"] == VERIFY_URL


def test_django_admin_sign_in_goes_through_the_app(client, admin_user):
    """The admin site's own login form would skip the code: it is the app's sign-in now."""
    TOTPDevice.objects.create(user=admin_user, name="app", confirmed=True)
    page = client.get("/django-admin/login/?next=/django-admin/")
    assert page["Location"] == "/accounts/login/?next=%2Fdjango-admin%2F"
    # The password alone, posted straight at the admin's form, signs nobody in.
    posted = client.post("/django-admin/login/?next=/django-admin/", {
        "username": admin_user.username, "password": TEST_PASSWORD,
        "next": "/django-admin/"})
    assert posted.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/users/")["Location"].startswith("/accounts/login/")
    # Through the app's page the password leaves the session pending.
    response = client.post("/accounts/login/?next=/django-admin/", {
        "username": admin_user.username, "password": TEST_PASSWORD})
    assert response["Location"] == VERIFY_URL
    assert client.get("/django-admin/")["Location"] == VERIFY_URL
    assert client.get("/accounts/users/")["Location"] == VERIFY_URL


def test_recovery_codes_are_shown_once_and_each_signs_in_once(client, supervisor, enrolled):
    _device, codes = enrolled
    assert len(codes) == RECOVERY_CODE_COUNT == len(set(codes))
    _sign_in(client, supervisor)
    # Shown once: the page has nothing to show again.
    assert client.get(reverse("accounts:recovery_codes"))["Location"] == VERIFY_URL
    used = client.post(VERIFY_URL, {"code": codes[0].upper()})
    assert used["Location"] == reverse("core:home")
    assert client.get(reverse("accounts:recovery_codes"))["Location"] == ENROL_URL
    page = client.get(ENROL_URL).content.decode()
    assert f"{RECOVERY_CODE_COUNT - 1}" in page.split('id="codes-left">')[1][:40]
    again = Client()
    _sign_in(again, supervisor)
    refused = again.post(VERIFY_URL, {"code": codes[0]})
    assert refused.status_code == 200
    assert again.get("/")["Location"] == VERIFY_URL


def test_new_recovery_codes_need_the_password_and_void_the_old(
        supervisor_client, supervisor, enrolled):
    _device, old = enrolled
    wrong = supervisor_client.post(ENROL_URL, {"action": "renew_codes", "password": "nope"})
    assert wrong.status_code == 400
    assert StaticToken.objects.filter(device__user=supervisor).count() == RECOVERY_CODE_COUNT
    response = supervisor_client.post(ENROL_URL, {"action": "renew_codes",
                                                  "password": TEST_PASSWORD})
    assert response["Location"] == reverse("accounts:recovery_codes")
    new_page = supervisor_client.get(response["Location"]).content.decode()
    assert old[0] not in new_page
    tokens = set(StaticToken.objects.filter(device__user=supervisor)
                 .values_list("token", flat=True))
    assert len(tokens) == RECOVERY_CODE_COUNT
    assert not {code.replace("-", "") for code in old} & tokens


def test_user_without_device_signs_in_with_password_alone(client, supervisor):
    response = _sign_in(client, supervisor)
    assert response["Location"] == reverse("core:home")


def test_required_second_factor_sends_to_enrolment_and_cannot_be_removed(
    admin_client_, supervisor, client
):
    admin_client_.post(reverse("accounts:user_detail", args=[supervisor.pk]), {
        "full_name": supervisor.full_name, "email": supervisor.email, "phone": "",
        "role": "supervisor", "team": supervisor.team_id, "is_active": "on",
        "otp_required": "on", "version": supervisor.version,
    })
    supervisor.refresh_from_db()
    assert supervisor.otp_required
    response = _sign_in(client, supervisor)
    assert response["Location"] == ENROL_URL
    assert client.get(reverse("core:home"))["Location"] == ENROL_URL
    assert client.get(VERIFY_URL)["Location"] == ENROL_URL
    _enrol(client)
    client.post(ENROL_URL, {"action": "remove", "password": TEST_PASSWORD})
    assert TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()


def test_removing_needs_the_password(supervisor_client, supervisor, enrolled):
    refused = supervisor_client.post(ENROL_URL, {"action": "remove", "password": "nope"})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()
    supervisor_client.post(ENROL_URL, {"action": "remove", "password": TEST_PASSWORD})
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    assert [e.action for e in history_for(obj=supervisor)][:2] == [
        "second factor removed", "second factor enrolled"]


def test_a_session_already_signed_in_is_held_once_a_second_factor_is_required(
        admin_client_, supervisor, supervisor_client):
    """An administrator requires a second factor of someone who is signed in: their next
    page is enrolment (the change to the user is seen by the session at once)."""
    assert supervisor_client.get("/").status_code == 200
    admin_client_.post(reverse("accounts:user_detail", args=[supervisor.pk]), {
        "full_name": supervisor.full_name, "email": supervisor.email, "phone": "",
        "role": "supervisor", "team": supervisor.team_id, "is_active": "on",
        "otp_required": "on", "version": supervisor.version,
    })
    assert supervisor_client.get("/")["Location"] == ENROL_URL


def test_officers_cannot_be_required_to_use_it(admin_client_, officer):
    response = admin_client_.post(reverse("accounts:user_detail", args=[officer.pk]), {
        "full_name": officer.full_name, "email": officer.email, "phone": "",
        "role": "officer", "team": officer.team_id, "is_active": "on", "otp_required": "on",
    })
    assert response.status_code == 200
    officer.refresh_from_db()
    assert not officer.otp_required


def test_wrong_and_replayed_codes_are_refused(pending, enrolled):
    device, _codes = enrolled
    for code in (_code(device), "12345x", f"{(int(_code(device, drift=1)) + 1) % 10**6:06d}"):
        response = pending.post(VERIFY_URL, {"code": code})
        assert response.status_code == 200, code
        assert "invalid-feedback" in response.content.decode()
    assert pending.get(reverse("core:home")).status_code == 302


def test_guessing_codes_is_throttled(pending, enrolled):
    """After a wrong code django-otp refuses even the right one for a growing wait."""
    device, _codes = enrolled
    pending.post(VERIFY_URL, {"code": f"{(int(_code(device, drift=1)) + 7) % 10**6:06d}"})
    response = pending.post(VERIFY_URL, {"code": _code(device, drift=1)})
    assert response.status_code == 200
    assert pending.get("/")["Location"] == VERIFY_URL


def test_administrator_resets_a_lost_phone_and_it_is_audited(
        admin_client_, admin_user, supervisor, enrolled, client):
    device, _codes = enrolled
    detail = admin_client_.get(reverse("accounts:user_detail", args=[supervisor.pk]))
    assert 'id="reset-second-factor"' in detail.content.decode()
    response = admin_client_.post(reverse("accounts:user_second_factor_reset",
                                          args=[supervisor.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    assert not StaticToken.objects.filter(device__user=supervisor).exists()
    entry = history_for(obj=supervisor)[0]
    assert entry.action == "second factor reset by an administrator"
    assert entry.actor == admin_user
    # The supervisor signs in with the password and may enrol a new phone.
    assert _sign_in(client, supervisor)["Location"] == reverse("core:home")


def test_a_session_verified_with_a_reset_device_is_held_again(
        admin_client_, supervisor, enrolled, client):
    """Reset of a required second factor: a session still open with the old phone must enrol
    a new one before anything else."""
    device, _codes = enrolled
    supervisor.otp_required = True
    supervisor.save(update_fields=["otp_required"])
    _sign_in(client, supervisor)
    client.post(VERIFY_URL, {"code": _code(device, drift=1)})
    assert client.get("/").status_code == 200
    admin_client_.post(reverse("accounts:user_second_factor_reset", args=[supervisor.pk]))
    assert client.get("/")["Location"] == ENROL_URL


def test_nobody_resets_their_own_or_without_the_admin_role(
        admin_client_, admin_user, supervisor_client, supervisor, enrolled):
    TOTPDevice.objects.create(user=admin_user, name="app", confirmed=True)
    response = admin_client_.post(reverse("accounts:user_second_factor_reset",
                                          args=[admin_user.pk]), follow=True,
                                   HTTP_ACCEPT_LANGUAGE="en")
    assert TOTPDevice.objects.filter(user=admin_user).exists()
    assert "another administrator" in response.content.decode()
    forbidden = supervisor_client.post(reverse("accounts:user_second_factor_reset",
                                               args=[supervisor.pk]))
    assert forbidden.status_code == 403
    assert TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()
