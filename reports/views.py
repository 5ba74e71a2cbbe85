from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.selectors import customer_get_for_user, customer_scope
from loanwatch.accounts.access import AuthenticatedHttpRequest, role_required
from loanwatch.accounts.roles import Role
from loanwatch.core.audit import history_for
from loanwatch.core.forms import form_apply_error
from loanwatch.core.redirects import safe_next
from visits.models import Visit

from . import forms, pdf, quality, selectors, services
from .models import FollowUp, Measure, RiskReport

if TYPE_CHECKING:
    from loanwatch.accounts.models import User

ALL_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)


def _visit_for_user(*, user: User, pk: int) -> Visit:
    visit = (Visit.objects.filter(pk=pk, customer__in=customer_scope(user=user))
             .select_related("customer").first())
    if visit is None:
        raise Http404
    return visit


def _messages(request: HttpRequest, error: ValidationError) -> None:
    for text in error.messages:
        messages.error(request, text)


@role_required(*ALL_ROLES)
def report_start(request: AuthenticatedHttpRequest, customer_pk: int | None = None,
                 visit_pk: int | None = None) -> HttpResponse:
    """Start a report on a customer, or on one of their submitted visits. The page asks before
    creating, so that a link followed twice does not write two drafts; an open draft of the same
    author on the same visit is offered instead."""
    visit = _visit_for_user(user=request.user, pk=visit_pk) if visit_pk else None
    customer = customer_get_for_user(user=request.user,
                                     pk=visit.customer_id if visit else customer_pk)
    drafts = selectors.report_scope(user=request.user).filter(
        customer=customer, author=request.user, status=RiskReport.Status.DRAFT)
    if visit is not None:
        drafts = drafts.filter(visit=visit)
    if request.method == "POST":
        try:
            report = services.report_start(customer=customer, visit=visit,
                                           acting_user=request.user)
        except ValidationError as error:
            _messages(request, error)
        else:
            return redirect("reports:report_edit", pk=report.pk)
    recent_visits = [] if visit else list(
        Visit.objects.filter(customer=customer, status=Visit.Status.SUBMITTED)
        .order_by("-visited_on", "-pk")[:5])
    return render(request, "reports/report_start.html", {
        "customer": customer, "visit": visit, "drafts": drafts.order_by("-created_at"),
        "recent_visits": recent_visits})


def _edit_context(request: HttpRequest, report: RiskReport, form, points, measures) -> dict:
    return {"report": report, "form": form, "points": points, "measures": measures,
            "customer": report.customer}


@role_required(*ALL_ROLES)
def release_start(request: AuthenticatedHttpRequest, customer_pk: int) -> HttpResponse:
    """Propose the release (解除) of the customer's standing warning: the reason the risk has
    gone, saved as a draft or submitted at once. An open release report is shown instead."""
    customer = customer_get_for_user(user=request.user, pk=customer_pk)
    open_release = selectors.report_scope(user=request.user).filter(
        customer=customer, kind=RiskReport.Kind.RELEASE,
        status__in=[RiskReport.Status.DRAFT, RiskReport.Status.SUBMITTED]).first()
    if open_release is not None:
        if services.may_edit(user=request.user, report=open_release):
            return redirect("reports:report_edit", pk=open_release.pk)
        messages.info(request, _("A release of this warning is already proposed."))
        return redirect("reports:report_detail", pk=open_release.pk)
    warning = selectors.warning_active_for(customer_id=customer.pk)
    if warning is None:
        messages.info(request, _("The customer has no standing warning to release."))
        return redirect("customers:customer_detail", pk=customer.pk)
    form = forms.ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                report = services.release_start(customer=customer, acting_user=request.user,
                                                assessment=form.cleaned_data["assessment"])
                if "submit" in request.POST:
                    services.report_submit(report=report, acting_user=request.user)
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            return _release_saved(request, report)
    return render(request, "reports/release_form.html", {
        "customer": customer, "warning": warning, "form": form, "report": None})


def _release_saved(request: HttpRequest, report: RiskReport) -> HttpResponse:
    if "submit" in request.POST:
        messages.success(request, _("The report was submitted for a decision."))
        return redirect("reports:report_detail", pk=report.pk)
    messages.success(request, _("The draft was saved."))
    return redirect("reports:report_edit", pk=report.pk)


def _release_edit(request: AuthenticatedHttpRequest, report: RiskReport) -> HttpResponse:
    form = forms.ReleaseForm(request.POST or None, initial={
        "version": report.version, "assessment": report.assessment})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                report = services.release_save(report=report, acting_user=request.user,
                                                assessment=form.cleaned_data["assessment"],
                                                expected_version=form.cleaned_data["version"])
                if "submit" in request.POST:
                    services.report_submit(report=report, acting_user=request.user)
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            return _release_saved(request, report)
    return render(request, "reports/release_form.html", {
        "customer": report.customer, "form": form, "report": report,
        "warning": selectors.warning_active_for(customer_id=report.customer_id)})


@role_required(*ALL_ROLES)
def report_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    if not services.may_edit(user=request.user, report=report):
        raise PermissionDenied
    if report.is_release:
        return _release_edit(request, report)
    loans = selectors.loans_for_report(customer=report.customer)
    keep = {"keep": [m.measure_id for m in report.measures.all()]}
    if request.method == "POST":
        form = forms.ReportForm(request.POST, loans=loans)
        points = forms.PointFormSet(request.POST, prefix="points")
        measures = forms.MeasureFormSet(request.POST, prefix="measures", form_kwargs=keep)
        if form.is_valid() and points.is_valid() and measures.is_valid():
            try:
                with transaction.atomic():
                    report = services.report_save(
                        report=report, acting_user=request.user, data=form.cleaned_data,
                        points=forms.points_of(points), measures=forms.measures_of(measures),
                        classifications=form.classifications(),
                        expected_version=form.cleaned_data["version"])
                    if "submit" in request.POST:
                        services.report_submit(report=report, acting_user=request.user)
            except ValidationError as error:
                # "classifications" names no field: its messages become the form's own.
                form_apply_error(form, error)
            else:
                if "submit" in request.POST:
                    messages.success(request, _("The report was submitted for a decision."))
                    return redirect("reports:report_detail", pk=report.pk)
                messages.success(request, _("The draft was saved."))
                return redirect("reports:report_edit", pk=report.pk)
    else:
        form = forms.ReportForm(initial=forms.initial_for(report), loans=loans)
        points = forms.PointFormSet(prefix="points", initial=[
            {"id": p.pk, "category": p.category, "severity": p.severity, "text": p.wording}
            for p in report.points.select_related("signal")])
        measures = forms.MeasureFormSet(prefix="measures", form_kwargs=keep, initial=[
            {"measure": m.measure, "due_on": m.due_on, "note": m.note}
            for m in report.measures.all()])
    return render(request, "reports/report_form.html",
                  _edit_context(request, report, form, points, measures))


@role_required(*ALL_ROLES)
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    can_decide = (report.status == RiskReport.Status.SUBMITTED
                  and services.may_decide(user=request.user, report=report))
    awaiting = report.status == RiskReport.Status.SUBMITTED
    may_approve = report.first_approved_by_id != request.user.pk
    return render(request, "reports/report_detail.html", {
        "report": report, "customer": report.customer,
        "points": report.points.select_related("signal"),
        "two_approvals": awaiting and selectors.needs_two_approvals(report=report),
        "released_warning": (selectors.warning_active_for(customer_id=report.customer_id)
                             if report.is_release and awaiting else None),
        "can_edit": services.may_edit(user=request.user, report=report),
        "can_decide": can_decide,
        "decision_form": forms.DecisionForm(may_approve=may_approve) if can_decide else None,
        "history": _history(report)})


def _history(report: RiskReport) -> list:
    """The report's trail with its current risk points' (a point's wording is the author's
    main edit after a return), newest first."""
    entries = history_for(obj=report)
    for point in report.points.all():
        entries += history_for(obj=point)
    return sorted(entries, key=lambda e: e.at, reverse=True)


@role_required(*ALL_ROLES)
@require_POST
def report_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("reports:report_detail", pk=pk)
    try:
        services.report_decide(report=report, acting_user=request.user,
                               decision=form.cleaned_data["decision"],
                               comment=form.cleaned_data["comment"])
    except ValidationError as error:
        _messages(request, error)
    else:
        messages.success(request, _("Your decision was recorded."))
    return redirect("reports:report_detail", pk=pk)


QUEUE_SHOWN = 200


@role_required(Role.SUPERVISOR, Role.ADMIN)
def report_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    # The QUEUE_SHOWN waiting longest; one more is read to know whether there are more.
    reports = list(selectors.approval_queue(user=request.user)[:QUEUE_SHOWN + 1])
    more = len(reports) > QUEUE_SHOWN
    reports = reports[:QUEUE_SHOWN]
    now = timezone.now()
    for report in reports:
        report.age_days = (now - report.submitted_at).days if report.submitted_at else 0
    return render(request, "reports/report_queue.html", {
        "reports": reports, "more": more, "shown": QUEUE_SHOWN})


@role_required(*ALL_ROLES)
def report_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, pk=pk)
    response = HttpResponse(pdf.report_pdf(report=report), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="risk-report-{report.pk}.pdf"'
    return response


@role_required(*ALL_ROLES)
def follow_up_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record what a measure came to: an outcome and, optionally, an evidence file."""
    item = selectors.follow_up_get_for_user(user=request.user, pk=pk)
    if item.status != FollowUp.Status.OPEN:
        messages.info(request, _("The outcome of this measure is already recorded."))
        return redirect("reports:follow_up_sign_off", pk=item.pk)
    if not services.may_record_outcome(user=request.user, item=item):
        raise PermissionDenied
    form = forms.FollowUpDoneForm(request.POST or None, request.FILES or None,
                                  initial={"outcome": item.outcome})
    if request.method == "POST" and form.is_valid():
        try:
            item = services.follow_up_done(item=item, acting_user=request.user,
                                           outcome=form.cleaned_data["outcome"],
                                           evidence=form.cleaned_data.get("evidence"))
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            if item.status == FollowUp.Status.AWAITING_SIGN_OFF:
                messages.success(request, _("Outcome recorded; the measure now awaits a "
                                            "supervisor's sign-off."))
            else:
                messages.success(request, _("Outcome recorded; the measure is done."))
            return redirect(safe_next(request, candidate=request.POST.get("next"),
                                      fallback="core:home"))
    back = safe_next(request, candidate=request.POST.get("next") or request.GET.get("next"),
                     fallback="core:home")
    return render(request, "reports/follow_up_done.html", {
        "item": item, "customer": item.customer, "form": form, "next": back})


@role_required(*ALL_ROLES)
def follow_up_sign_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A measure's outcome, and for a supervisor of the team or an admin who did not record it,
    the sign-off: accept it, or send it back with a reason."""
    item = selectors.follow_up_get_for_user(user=request.user, pk=pk)
    can_sign_off = services.may_sign_off(user=request.user, item=item)
    form = forms.SignOffForm(request.POST or None)
    if request.method == "POST":
        if not can_sign_off:
            if item.status == FollowUp.Status.AWAITING_SIGN_OFF:
                raise PermissionDenied
            messages.error(request, _("This measure is not awaiting a sign-off."))
            return redirect("reports:follow_up_sign_off", pk=item.pk)
        if form.is_valid():
            try:
                services.follow_up_sign_off(item=item, acting_user=request.user,
                                            decision=form.cleaned_data["decision"],
                                            comment=form.cleaned_data["comment"])
            except ValidationError as error:
                form_apply_error(form, error)
            else:
                messages.success(request, _("Your decision was recorded."))
                return redirect("reports:follow_up_sign_off", pk=item.pk)
    return render(request, "reports/follow_up_sign_off.html", {
        "item": item, "customer": item.customer, "form": form if can_sign_off else None,
        "can_record": services.may_record_outcome(user=request.user, item=item),
        "history": history_for(obj=item)})


@role_required(*ALL_ROLES)
def follow_up_evidence(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    item = selectors.follow_up_get_for_user(user=request.user, pk=pk)
    if not item.evidence:
        raise Http404
    try:
        handle = item.evidence.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=item.evidence_name,
                            content_type=item.evidence_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(Role.ADMIN)
def measure_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = forms.MeasureCatalogueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_save(acting_user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Measure saved."))
            return redirect("reports:measure_list")
    return render(request, "reports/measure_list.html", {
        "measures": Measure.objects.all(), "form": form})


@role_required(Role.ADMIN)
def measure_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    measure = Measure.objects.filter(pk=pk).first()  # reference data: admins see all of it
    if measure is None:
        raise Http404
    initial = {"code": measure.code, "name_zh": measure.name_zh, "name_en": measure.name_en,
               "order": measure.order, "active": measure.active,
               "needs_sign_off": measure.needs_sign_off}
    form = forms.MeasureCatalogueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_save(acting_user=request.user, data=form.cleaned_data,
                                  measure=measure)
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Measure saved."))
            return redirect("reports:measure_list")
    return render(request, "reports/measure_form.html", {
        "form": form, "measure": measure, "history": history_for(obj=measure)})


@role_required(Role.ADMIN)
def warning_approvals(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The warning levels whose reports need two approvals."""
    form = forms.WarningApprovalsForm(request.POST or None,
                                      initial={"levels": selectors.two_approval_levels()})
    if request.method == "POST" and form.is_valid():
        try:
            services.warning_approvals_save(acting_user=request.user,
                                            levels=form.cleaned_data["levels"])
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("reports:warning_approvals")
    return render(request, "reports/warning_approvals.html", {"form": form})


COACHES = (Role.SUPERVISOR, Role.ADMIN)


def _quality_team(request: AuthenticatedHttpRequest,
                  teams: list[tuple[int, str]]) -> int | None:
    """An administrator's chosen team: their own, else the first, unless they ask for all."""
    chosen = request.GET.get("team", "")
    known = {pk for pk, _name in teams}
    if chosen == "all":
        return None
    if chosen.isascii() and chosen.isdigit() and int(chosen) in known:
        return int(chosen)
    return request.user.team_id if request.user.team_id in known else (
        teams[0][0] if teams else None)


@role_required(*COACHES)
def quality_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Monitoring quality: the officers a supervisor or an administrator coaches, with the
    figures below the bank's norm first."""
    period = quality.period_of(request.GET.get("days"))
    teams = quality.team_choices(user=request.user)
    team_id = _quality_team(request, teams) if teams else None
    return render(request, "reports/quality_list.html", {
        "rows": quality.quality_list(user=request.user, team_id=team_id, period=period),
        "period": period, "periods": quality.PERIODS, "teams": teams, "team_id": team_id,
        "team_param": ("all" if team_id is None else team_id) if teams else "",
        "norms": [(key, quality.LABELS[key], quality.NORMS[key], quality.HELP[key])
                  for key in quality.FIGURE_KEYS]})


@role_required(*COACHES)
def quality_detail(request: AuthenticatedHttpRequest, officer_pk: int,
                   figure: str) -> HttpResponse:
    """The rows behind one figure of one officer; 404 for an officer outside the user's team."""
    officer = quality.officer_get_for_user(user=request.user, pk=officer_pk)
    if figure not in quality.FIGURE_KEYS:
        raise Http404
    period = quality.period_of(request.GET.get("days"))
    return render(request, "reports/quality_detail.html", {
        "officer": officer, "figure": figure, "label": quality.LABELS[figure],
        "help": quality.HELP[figure], "norm": quality.NORMS[figure], "period": period,
        "rows": quality.figure_rows(user=request.user, officer=officer, key=figure,
                                    period=period),
        "team_param": request.GET.get("team", "")})
