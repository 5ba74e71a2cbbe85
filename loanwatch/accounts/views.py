from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loanwatch.core.audit import history_for
from loanwatch.core.query import query_int

from . import forms, second_factor, selectors, services
from .access import role_required
from .forms import LoginForm
from .models import Team
from .roles import Role


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
        needed = second_factor.needed_at_sign_in(user=self.request.user)
        if needed:
            self.request.session[second_factor.SESSION_KEY] = needed
            return redirect("accounts:second_factor" if needed == second_factor.ENROL
                            else "accounts:second_factor_verify")
        return response


def second_factor_verify(request: HttpRequest) -> HttpResponse:
    """After the password: the code from the authenticator app."""
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(request=request, token=form.cleaned_data["code"]):
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.add_error("code", _("That code is not right, or has expired. Try the current one."))
    return render(request, "accounts/second_factor_verify.html", {"form": form})


@role_required(Role.SUPERVISOR, Role.ADMIN)
def second_factor_page(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app, or remove it (unless an administrator requires one)."""
    user = request.user
    form = forms.CodeForm(request.POST or None)
    action = request.POST.get("action")
    if request.method == "POST" and action == "remove" and not user.otp_required:
        second_factor.remove(user=user)
        messages.success(request, _("Second factor removed."))
        return redirect("accounts:second_factor")
    if request.method == "POST" and action == "confirm" and form.is_valid():
        device_id = request.session.get("enrolment_device")
        if device_id and second_factor.enrol_confirm(request=request, device_id=device_id,
                                                     token=form.cleaned_data["code"]):
            request.session.pop("enrolment_device", None)
            messages.success(request, _("Second factor enrolled. You will be asked for a code "
                                        "each time you sign in."))
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.add_error("code", _("That code is not right, or has expired. Try the current one."))
    device = second_factor.confirmed_device(user=user)
    context = {"device": device, "form": form, "required": user.otp_required}
    if device is None or action == "replace":
        enrolling = second_factor.enrolment_device(user=user)
        request.session["enrolment_device"] = enrolling.pk
        context.update(enrolling=True, qr=second_factor.qr_code_data_uri(device=enrolling),
                       secret=second_factor.secret_base32(device=enrolling))
    return render(request, "accounts/second_factor.html", context)


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link cannot sign a user out behind their back."""


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes shows a username that failed to sign in too often."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=429)


# --- User and team management (administrators) ------------------------------------------------


def _apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where it names one."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error("password" if "password" in form.fields else None, error.messages)


@role_required(Role.ADMIN)
def user_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    team_id = request.GET.get("team") or None
    role = request.GET.get("role", "")
    users = selectors.user_list(search=search, team_id=query_int(team_id), role=role)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {
        "page": page, "q": search, "team_id": team_id, "role_filter": role,
        "teams": Team.objects.order_by("code"), "roles": Role.choices,
    })


@role_required(Role.ADMIN)
def user_create(request: HttpRequest) -> HttpResponse:
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
            _apply_errors(form, error)
        else:
            messages.success(request, _("User %(user)s created.") % {"user": user})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@role_required(Role.ADMIN)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
            _apply_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_detail.html", {
        "subject": user, "form": form, "password_form": forms.PasswordResetForm(),
        "locked": selectors.user_is_locked(user=user), "history": history_for(obj=user),
    })


@require_POST
@role_required(Role.ADMIN)
def user_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(pk=pk)
    form = forms.PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            services.user_set_password(acting_user=request.user, user=user,
                                       password=form.cleaned_data["password"])
        except ValidationError as error:
            form.add_error("password", error.messages)
        else:
            messages.success(request, _("Password set. Tell the user in person."))
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_detail.html", {
        "subject": user, "form": forms.UserForm(editing=True, initial={"username": user.username}),
        "password_form": form, "locked": selectors.user_is_locked(user=user),
        "history": history_for(obj=user),
    }, status=400)


@require_POST
@role_required(Role.ADMIN)
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    user = selectors.user_get(pk=pk)
    services.user_unlock(acting_user=request.user, user=user)
    messages.success(request, _("Sign-in unlocked for %(user)s.") % {"user": user})
    return redirect("accounts:user_detail", pk=user.pk)


@role_required(Role.ADMIN)
def team_list(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/team_list.html", {"teams": selectors.team_list()})


@role_required(Role.ADMIN)
def team_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
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
            _apply_errors(form, error)
        else:
            messages.success(request, _("Team saved."))
            return redirect("accounts:team_edit", pk=team.pk)
    return render(request, "accounts/team_form.html", {
        "team": team, "form": form, "history": history_for(obj=team) if team else [],
    })
