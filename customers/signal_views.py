"""The risk-signal pages: the list with its filters, a dismissal, the administrators' numbers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loanwatch.accounts.access import AuthenticatedHttpRequest, role_required
from loanwatch.accounts.roles import Role
from loanwatch.core.forms import form_apply_error
from loanwatch.core.redirects import safe_next

from . import signal_forms, signal_selectors, signals
from .models import RiskSignal, SignalSettings
from .selectors import officer_choices_for_user

ALL_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
PAGE_SIZE = 50


def _list_context(request: AuthenticatedHttpRequest) -> dict:
    filter_form = signal_forms.SignalFilterForm(request.GET)
    filters = filter_form.filters()
    page = signal_selectors.signal_list_page(user=request.user, query=request.GET,
                                             size=PAGE_SIZE, **filters)
    return {"page": page, "filters": filters, "filter_form": filter_form,
            "query": request.GET.urlencode(),
            "teams": signal_selectors.team_choices_for_user(user=request.user),
            "officers": (officer_choices_for_user(user=request.user)
                         if request.user.role != Role.OFFICER else []),
            "sources": RiskSignal.Source.choices, "severities": RiskSignal.Severity.choices,
            "statuses": RiskSignal.Status.choices}


@role_required(*ALL_ROLES)
def signal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "customers/signal_list.html", _list_context(request))


@role_required(*ALL_ROLES)
@require_POST
def signal_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    signal = signal_selectors.signal_get_for_user(user=request.user, pk=pk)
    form = signal_forms.SignalDismissForm(request.POST)
    back = safe_next(request, candidate=request.POST.get("next"),
                     fallback="customers:signal_list")
    if form.is_valid():
        try:
            signals.signal_dismiss(signal=signal, acting_user=request.user,
                                   reason=form.cleaned_data["reason"])
        except ValidationError as error:
            general = form_apply_error(form, error)
            if general and not form.has_error("reason"):
                # No longer open (someone else was quicker): say so where the user was.
                messages.error(request, " ".join(general))
                return redirect(back)
        else:
            messages.success(request, _("Signal dismissed."))
            return redirect(back)
    # A missing reason shows on the list, on a form for the signal it concerns.
    context = _list_context(request)
    context.update({"dismiss_form": form, "dismiss_signal": signal, "next": back})
    return render(request, "customers/signal_list.html", context)


@role_required(Role.ADMIN)
def signal_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = signal_forms.SignalSettingsForm(request.POST or None, instance=SignalSettings.load())
    if request.method == "POST" and form.is_valid():
        try:
            signals.signal_settings_save(acting_user=request.user,
                                         stale_days=form.cleaned_data["stale_days"],
                                         expire_days=form.cleaned_data["expire_days"])
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Risk signal settings saved."))
            return redirect("customers:signal_settings")
    return render(request, "customers/signal_settings.html", {"form": form})
