from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.selectors import customer_get_for_user
from loanwatch.accounts.access import AuthenticatedHttpRequest, role_required
from loanwatch.accounts.roles import Role
from loanwatch.core.audit import history_for

from . import forms, imports, selectors, services
from .imports import ImportRejected
from .models import RecordCheck, RecordPolicy

ALL_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)
SESSION_FEED = "records_feed_rows"
DUE_PAGE = 100


@role_required(*ALL_ROLES)
def customer_checks(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every check of the customer and the people behind it, with what each found."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    return render(request, "records/customer_checks.html", {
        "customer": customer, "checks": selectors.checks_of_customer(customer=customer)})


@role_required(*ALL_ROLES)
def check_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Enter a check by hand, starting from the subject's previous check."""
    customer = customer_get_for_user(user=request.user, pk=pk)
    subjects = selectors.subjects_for(customer=customer)
    key = request.POST.get("subject") or request.GET.get("subject") or subjects[0].key
    subject = next((s for s in subjects if s.key == key), None)
    if subject is None:
        raise Http404
    today = timezone.localdate()
    previous = services.check_previous(subject=subject, on=today)
    initial = {"checked_on": today}
    entries_initial = []
    if previous is not None:
        initial.update(licence_status=previous.licence_status,
                       annual_report_year=previous.annual_report_year,
                       abnormal_listed=previous.abnormal_listed,
                       tax_abnormal=previous.tax_abnormal,
                       legal_representative=previous.legal_representative,
                       registered_capital=previous.registered_capital,
                       registered_address=previous.registered_address,
                       business_scope=previous.business_scope,
                       shareholders="\n".join(previous.shareholders))
        # Open records carry over: the officer marks what closed and adds what is new.
        entries_initial = [{"kind": e.kind, "case_number": e.case_number, "court": e.court,
                            "amount": e.amount, "filed_on": e.filed_on, "cause": e.cause,
                            "stage": e.stage}
                           for e in previous.entries.all() if not e.closed]
    data = request.POST if request.method == "POST" else None
    form = forms.CheckForm(data, initial=initial, is_company=subject.is_company)
    formset = forms.EntryFormSet(data, initial=entries_initial, prefix="entries")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        check = services.check_record(subject=subject, data=forms.reading_from(form, formset),
                                      source=RecordCheck.Source.MANUAL,
                                      acting_user=request.user)
        assert check is not None  # only a feed's repeated reading is skipped, never a manual one
        messages.success(request, _("Check recorded."))
        return redirect("records:check_detail", pk=check.pk)
    return render(request, "records/check_form.html", {
        "customer": customer, "subjects": subjects, "subject": subject, "previous": previous,
        "form": form, "formset": formset})


@role_required(*ALL_ROLES)
def check_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    check = selectors.check_get_for_user(user=request.user, pk=pk)
    return render(request, "records/check_detail.html", {
        "check": check, "customer": check.customer, "history": history_for(obj=check)})


@role_required(*ALL_ROLES)
def due_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The subjects the user sees whose records are due for a check, a page at a time (never
    checked first, then the longest since). An administrator's list opens on one team (their
    own, else the first) and can be switched to another or to all."""
    policy = RecordPolicy.current()
    teams: list[tuple[int, str]] = []
    team_id: int | None = None
    if request.user.role == Role.ADMIN:
        teams = selectors.due_teams()
        chosen = request.GET.get("team", "")
        known = {pk for pk, _name in teams}
        if chosen == "all":
            team_id = None
        elif chosen.isascii() and chosen.isdigit() and int(chosen) in known:
            team_id = int(chosen)
        else:
            team_id = request.user.team_id if request.user.team_id in known else (
                teams[0][0] if teams else None)
    page = selectors.due_page_for_user(user=request.user, query=request.GET, size=DUE_PAGE,
                                       team_id=team_id, policy=policy)
    return render(request, "records/due_list.html", {
        "page": page, "policy": policy, "teams": teams, "team_id": team_id})


@role_required(*ALL_ROLES)
def feed_template(request: HttpRequest) -> HttpResponse:
    return imports.template_response()


@role_required(*ALL_ROLES)
def feed_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a data-feed file → every row checked → preview; confirm writes all or none."""
    form = forms.FeedForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and request.POST.get("confirm"):
        rows = request.session.get(SESSION_FEED)
        if not rows:
            messages.error(request, _("Nothing to import: upload the file again."))
            return redirect("records:feed_import")
        try:
            result = imports.import_feed(rows=rows, acting_user=request.user)
        except ImportRejected as rejected:
            context["problems"] = rejected.problems
        else:
            request.session.pop(SESSION_FEED, None)
            messages.success(request, _("%(checks)d checks recorded with %(findings)d findings; "
                                        "%(unchanged)d already recorded.") % result)
            return redirect("records:due_list")
    elif request.method == "POST" and form.is_valid():
        try:
            rows = imports.read_feed(form.cleaned_data["file"])
            context["plan"] = imports.check_feed(rows=rows, acting_user=request.user)
        except ImportRejected as rejected:
            context["problems"] = rejected.problems
        else:
            request.session[SESSION_FEED] = rows
    return render(request, "records/feed_import.html", context)


@role_required(Role.ADMIN)
def policy_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy = RecordPolicy.current()
    form = forms.PolicyForm(request.POST or None, initial={
        name: getattr(policy, name) for name in forms.PolicyForm.base_fields})
    if request.method == "POST" and form.is_valid():
        services.policy_save(acting_user=request.user, data=form.cleaned_data)
        messages.success(request, _("Record-check policy saved."))
        return redirect("records:policy_edit")
    return render(request, "records/policy_form.html", {
        "form": form, "history": history_for(obj=policy) if policy.pk else []})
