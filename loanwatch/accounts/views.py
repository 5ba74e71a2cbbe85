from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from loanwatch.core.audit import history_for
from loanwatch.core.forms import form_apply_error

from . import forms, lockout, second_factor, selectors, services
from .access import AuthenticatedHttpRequest, role_required
from .forms import LoginForm
from .models import Team
from .roles import Role

# Where the user asked to go before sign-in; kept while the sign-in steps are done.
AFTER_SIGN_IN = "after_sign_in"


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # Mail to the user is written in the language they sign in with.
        services.user_remember_language(user=self.request.user,
                                        language=self.request.LANGUAGE_CODE)
        if second_factor.pending_step(request=self.request) or \
                self.request.user.password_change_required:
            self.request.session[AFTER_SIGN_IN] = response["Location"]
            return _next_sign_in_step(self.request)
        return response


@login_not_required
def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The Django admin's own sign-in page, sent to the app's, which has the second factor and
    the lockout; the page asked for is kept (the app's sign-in checks it is on this site)."""
    target = reverse("accounts:login")
    wanted = request.GET.get(REDIRECT_FIELD_NAME)
    if wanted:
        target += "?" + urlencode({REDIRECT_FIELD_NAME: wanted})
    return redirect(target)



def _next_sign_in_step(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Onwards after one sign-in step: the next step owed, else the page first asked for."""
    step = second_factor.pending_step(request=request)
    if step == second_factor.VERIFY:
        return redirect("accounts:second_factor_verify")
    if step == second_factor.ENROL:
        return redirect("accounts:second_factor")
    if request.user.password_change_required:
        return redirect("accounts:password_change")
    return redirect(request.session.pop(AFTER_SIGN_IN, None) or settings.LOGIN_REDIRECT_URL)


def second_factor_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator app, or a recovery code."""
    if second_factor.pending_step(request=request) != second_factor.VERIFY:
        return _next_sign_in_step(request)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor.verify(request=request, token=form.cleaned_data["code"])
        if device is not None:
            if isinstance(device, StaticDevice):
                left = second_factor.recovery_codes_left(user=request.user)
                messages.warning(request, ngettext(
                    "You signed in with a recovery code; %(left)d is left. If your phone is "
                    "lost, move to a new one on the second-factor page.",
                    "You signed in with a recovery code; %(left)d are left. If your phone is "
                    "lost, move to a new one on the second-factor page.", left) % {"left": left})
            return _next_sign_in_step(request)
        form.add_error("code", _("That code is not right, or has expired. Try the current one."))
    return render(request, "accounts/second_factor_verify.html", {"form": form})


def _enrolment_context(request: AuthenticatedHttpRequest, form: forms.EnrolForm, *,
                       fresh: bool) -> dict:
    """The device being enrolled: the same one again after a mistyped code (so the phone that
    scanned it still matches), a new secret when enrolment starts."""
    user = request.user
    device = None
    if not fresh:
        device = TOTPDevice.objects.filter(
            pk=request.session.get(second_factor.ENROLMENT_DEVICE_KEY), user=user,
            confirmed=False).first()
    if device is None:
        device = second_factor.enrolment_device(user=user)
        request.session[second_factor.ENROLMENT_DEVICE_KEY] = device.pk
    return {"enrolling": True, "enrol_form": form,
            "qr": second_factor.qr_code_data_uri(device=device),
            "secret": second_factor.secret_base32(device=device)}


@role_required(Role.SUPERVISOR, Role.ADMIN)
def second_factor_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enrol an authenticator app, move it to a new phone, renew the recovery codes, or remove
    it (unless an administrator requires one). Each change asks for the password again. A user
    who has a device only gets here verified (the sign-in steps hold everyone else)."""
    user = request.user
    device = second_factor.confirmed_device(user=user)
    if device is not None and not user.is_verified():
        return _next_sign_in_step(request)
    action = request.POST.get("action") if request.method == "POST" else None
    context = {"device": device, "required": user.otp_required,
               "codes_left": second_factor.recovery_codes_left(user=user) if device else 0,
               "password_form": forms.PasswordAgainForm(), "enrolling": False}

    if action == "confirm":
        form = forms.EnrolForm(request.POST)
        if form.is_valid():
            if not second_factor.password_is_right(request=request,
                                                   password=form.cleaned_data["password"]):
                form.add_error("password", _("That is not your password."))
            else:
                codes = second_factor.enrol_confirm(
                    request=request,
                    device_id=request.session.get(second_factor.ENROLMENT_DEVICE_KEY) or 0,
                    token=form.cleaned_data["code"])
                if codes is not None:
                    request.session.pop(second_factor.ENROLMENT_DEVICE_KEY, None)
                    request.session[second_factor.RECOVERY_CODES_KEY] = codes
                    messages.success(request, _("Second factor enrolled. You will be asked for "
                                                "a code each time you sign in."))
                    return redirect("accounts:recovery_codes")
                form.add_error("code", _("That code is not right, or has expired. "
                                         "Try the current one."))
        context.update(_enrolment_context(request, form, fresh=False))
        return render(request, "accounts/second_factor.html", context, status=400)

    if action in ("remove", "renew_codes") and device is not None:
        password_form = forms.PasswordAgainForm(request.POST)
        if password_form.is_valid() and second_factor.password_is_right(
                request=request, password=password_form.cleaned_data["password"]):
            if action == "renew_codes":
                request.session[second_factor.RECOVERY_CODES_KEY] = \
                    second_factor.recovery_codes_renew(user=user)
                return redirect("accounts:recovery_codes")
            if not user.otp_required:
                second_factor.remove(user=user)
                messages.success(request, _("Second factor removed."))
                return redirect("accounts:second_factor")
        if password_form.is_valid():
            password_form.add_error("password", _("That is not your password."))
        context["password_form"] = password_form
        return render(request, "accounts/second_factor.html", context, status=400)

    if device is None or action == "replace":
        # A reload keeps the secret already shown (the phone may have scanned it); moving to a
        # new phone starts with a new one.
        context.update(_enrolment_context(request, forms.EnrolForm(),
                                          fresh=action == "replace"))
    return render(request, "accounts/second_factor.html", context)


@role_required(Role.SUPERVISOR, Role.ADMIN)
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, shown once: they are kept only as the codes' own records."""
    codes = request.session.pop(second_factor.RECOVERY_CODES_KEY, None)
    if not codes:
        return redirect("accounts:second_factor")
    shown = [f"{code[:4]}-{code[4:]}" for code in codes]
    response = render(request, "accounts/recovery_codes.html", {"codes": shown})
    response["Cache-Control"] = "no-store"
    return response


def recovery_codes_done(request: AuthenticatedHttpRequest) -> HttpResponse:
    if AFTER_SIGN_IN in request.session or request.user.password_change_required:
        return _next_sign_in_step(request)
    return redirect("accounts:second_factor")


def password_change(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A user's own password: required after an administrator set it."""
    form = forms.OwnPasswordForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        services.user_change_own_password(user=request.user,
                                          password=form.cleaned_data["new_password1"])
        # Other sessions of this user end; this one goes on.
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return _next_sign_in_step(request)
    return render(request, "accounts/password_change.html", {
        "form": form, "required": request.user.password_change_required,
    }, status=400 if form.errors else 200)


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link cannot sign a user out behind their back."""


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes shows a username, or an address, that failed to sign in too often."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    by_address = lockout.address_is_locked(ip_address=getattr(request, "axes_ip_address", None))
    return render(request, "accounts/locked_out.html",
                  {"cooloff_minutes": minutes, "by_address": by_address}, status=429)


# --- User and team management (administrators) ------------------------------------------------


@role_required(Role.ADMIN)
def user_list(request: HttpRequest) -> HttpResponse:
    filter_form = forms.UserFilterForm(request.GET)
    filters = filter_form.values()
    users = selectors.user_list(search=filters["q"], team_id=filters["team"],
                                role=filters["role"])
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {
        "page": page, "q": filters["q"], "team_id": filters["team"],
        "role_filter": filters["role"], "filter_form": filter_form,
        "teams": Team.objects.order_by("code"), "roles": Role.choices,
    })


@role_required(Role.ADMIN)
def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                acting_user=request.user, username=data["username"],
                full_name=data["full_name"], email=data["email"], phone=data["phone"],
                team=data["team"], role=Role(data["role"]), password=data["password"],
            )
        except ValidationError as error:
            form_apply_error(form, error, plain_to="password")
        else:
            messages.success(request, _("User %(user)s created.") % {"user": user})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@role_required(Role.ADMIN)
def user_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(pk=pk)
    form = forms.UserForm(
        request.POST if request.method == "POST" else None,
        editing=True,
        initial={"username": user.username, "full_name": user.full_name, "email": user.email,
                 "phone": user.phone, "team": user.team, "role": user.role,
                 "is_active": user.is_active, "otp_required": user.otp_required,
                 "version": user.version},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                acting_user=request.user, user=user, full_name=data["full_name"],
                email=data["email"], phone=data["phone"], team=data["team"],
                role=Role(data["role"]), is_active=data["is_active"],
                otp_required=data["otp_required"], expected_version=data["version"],
            )
        except ValidationError as error:
            form_apply_error(form, error, plain_to="password")
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_detail.html", {
        "subject": user, "form": form, "password_form": forms.PasswordResetForm(),
        "sign_in": selectors.user_sign_in_state(user=user), "history": history_for(obj=user),
        "second_factor_enrolled": second_factor.confirmed_device(user=user) is not None,
    })


@require_POST
@role_required(Role.ADMIN)
def user_password(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(pk=pk)
    form = forms.PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            services.user_set_password(acting_user=request.user, user=user,
                                       password=form.cleaned_data["password"])
        except ValidationError as error:
            form_apply_error(form, error, plain_to="password")
        else:
            messages.success(request, _("Password set. Tell the user in person: they must "
                                        "choose their own at the next sign-in."))
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_detail.html", {
        "subject": user, "form": forms.UserForm(editing=True, initial={"username": user.username}),
        "password_form": form, "sign_in": selectors.user_sign_in_state(user=user),
        "history": history_for(obj=user),
        "second_factor_enrolled": second_factor.confirmed_device(user=user) is not None,
    }, status=400)


@require_POST
@role_required(Role.ADMIN)
def user_second_factor_reset(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(pk=pk)
    try:
        services.user_second_factor_reset(acting_user=request.user, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Second factor reset for %(user)s.") % {"user": user})
    return redirect("accounts:user_detail", pk=user.pk)


@require_POST
@role_required(Role.ADMIN)
def user_unlock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(pk=pk)
    services.user_unlock(acting_user=request.user, user=user)
    messages.success(request, _("Sign-in unlocked for %(user)s.") % {"user": user})
    return redirect("accounts:user_detail", pk=user.pk)


@role_required(Role.ADMIN)
def team_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/team_list.html", {"teams": selectors.team_list()})


@role_required(Role.ADMIN)
def team_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    team = selectors.team_get(pk=pk) if pk else None
    initial = ({"code": team.code, "name": team.name, "region": team.region,
                "version": team.version} if team else None)
    form = forms.TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            team = services.team_save(acting_user=request.user, team=team, code=data["code"],
                                      name=data["name"], region=data["region"],
                                      expected_version=data["version"])
        except ValidationError as error:
            form_apply_error(form, error, plain_to="password")
        else:
            messages.success(request, _("Team saved."))
            return redirect("accounts:team_edit", pk=team.pk)
    return render(request, "accounts/team_form.html", {
        "team": team, "form": form, "history": history_for(obj=team) if team else [],
    })


def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every signed-in user's own display choices."""
    form = forms.PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_preferences_save(user=request.user,
                                       amount_unit=form.cleaned_data["amount_unit"])
        messages.success(request, _("Your preferences have been saved."))
        return redirect("accounts:preferences")
    return render(request, "accounts/preferences.html", {"form": form},
                  status=400 if form.errors else 200)
