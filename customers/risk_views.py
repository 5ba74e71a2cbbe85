"""Pages of the risk state: an administrator's correction, and the corrections a second person
decides. The writes and their rules are in risk_state.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from loanwatch.accounts.access import AuthenticatedHttpRequest, role_required
from loanwatch.accounts.roles import Role
from loanwatch.core.forms import form_apply_error

from . import forms, risk_state, selectors

CORRECTIONS_PAGE = 50

@role_required(Role.ADMIN)
def risk_correction(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get_for_user(user=request.user, pk=pk)
    loans = list(customer.loans.order_by("disbursed_on", "contract_number"))
    form = forms.CorrectionForm(request.POST or None, customer=customer, loans=loans)
    if request.method == "POST" and form.is_valid():
        try:
            correction = risk_state.correction_request(
                customer=customer, acting_user=request.user,
                reason=form.cleaned_data["reason"], risk_group=form.cleaned_data["risk_group"],
                loans=form.loan_changes())
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            if correction.status == correction.Status.AWAITING:
                messages.info(request, _("The correction lowers risk: it waits for a second "
                                         "person's approval before it applies."))
            else:
                messages.success(request, _("Correction applied."))
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(request, "customers/risk_correction.html",
                  {"form": form, "customer": customer, "loans": loans})


@role_required(Role.SUPERVISOR, Role.ADMIN)
def correction_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = selectors.correction_page_for_user(user=request.user, query=request.GET,
                                              size=CORRECTIONS_PAGE)
    page.object_list = selectors.corrections_readable(corrections=list(page.object_list))
    for correction in page.object_list:
        correction.may_decide = (correction.status == correction.Status.AWAITING
                                 and risk_state.may_decide_correction(user=request.user,
                                                                      correction=correction))
    return render(request, "customers/correction_list.html",
                  {"page": page, "decision_form": forms.CorrectionDecisionForm()})


@require_POST
@role_required(Role.SUPERVISOR, Role.ADMIN)
def correction_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    correction = get_object_or_404(selectors.corrections_for_user(user=request.user), pk=pk)
    form = forms.CorrectionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("customers:correction_list")
    try:
        risk_state.correction_decide(correction=correction, acting_user=request.user,
                                     approve=form.cleaned_data["decision"] == "approve",
                                     comment=form.cleaned_data["comment"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("customers:correction_list")
