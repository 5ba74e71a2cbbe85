from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from loanwatch.core.forms import IdField, ListFilterForm

from .models import Team, User
from .roles import Role


class LoginForm(AuthenticationForm):
    submit_label = _("Sign in")
    submit_class = "w-100"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})


class _SubmitForm(forms.Form):
    submit_label = _("Save")


class _VersionedForm(_SubmitForm):
    """Carries the version of the record the form showed (see loanwatch.core.concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UserForm(_VersionedForm):
    username = forms.RegexField(
        label=_("Username"), max_length=150, regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Use letters, digits and . @ + - _ only.")},
    )
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.order_by("code"),
                                  required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    otp_required = forms.BooleanField(
        label=_("Require a second factor at sign-in"), required=False,
        help_text=_("For supervisors and administrators: a code from an authenticator app."),
    )
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["username"].disabled = True
            del self.fields["password"]
        else:
            del self.fields["is_active"]
            del self.fields["otp_required"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if not self.fields["username"].disabled and User.objects.filter(
            username__iexact=username
        ).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username


class PasswordResetForm(_SubmitForm):
    submit_label = _("Set password")
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)


class TeamForm(_VersionedForm):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=100)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)


_CODE_WIDGET = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "autofocus": True})


class CodeForm(forms.Form):
    """At sign-in: the app's six digits, or one of the recovery codes (eight letters and
    digits, shown as two groups of four)."""

    code = forms.RegexField(
        label=_("Code from your authenticator app, or a recovery code"),
        regex=r"^\s*(\d{6}|[A-Za-z2-7]{4}-?[A-Za-z2-7]{4})\s*$",
        error_messages={"invalid": _("Enter the six digits the app shows, or a recovery code.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                      "autocapitalize": "none"}),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class PasswordAgainForm(forms.Form):
    """Changes to the second factor ask for the password again."""

    password = forms.CharField(
        label=_("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class EnrolForm(PasswordAgainForm):
    code = forms.RegexField(
        label=_("Code the app shows"), regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the six digits the app shows.")},
        widget=_CODE_WIDGET,
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class OwnPasswordForm(PasswordChangeForm):
    """A user changing their own password: the current one, then the new one twice.

    The current password is checked through `authenticate`, so that guessing it here counts
    towards the sign-in lockout as guessing it on the sign-in page does."""

    submit_label = _("Change password")

    def __init__(self, *args, request, **kwargs) -> None:
        self.request = request
        super().__init__(request.user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old) != self.user:
            raise forms.ValidationError(self.error_messages["password_incorrect"],
                                        code="password_incorrect")
        return old

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        new = cleaned.get("new_password2")
        if new and not self.has_error("new_password2") and self.user.check_password(new):
            self.add_error("new_password2", forms.ValidationError(
                _("Choose a password different from the current one."),
                code="password_unchanged"))
        return cleaned


class UserFilterForm(ListFilterForm):
    """The user list's query parameters."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    team = IdField(label=_("Team"))
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", ""), *Role.choices])


class PreferencesForm(forms.ModelForm):
    """What the user chooses for their own pages: for now, the unit amounts are shown in."""

    submit_label = _("Save")

    class Meta:
        model = User
        fields = ["amount_unit"]
        widgets = {"amount_unit": forms.RadioSelect}
