from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.models import RiskGroup
from customers.selectors import OfficerChoice, customer_scope
from loanwatch.accounts.access import AuthenticatedHttpRequest, role_required
from loanwatch.accounts.roles import Role
from loanwatch.core.audit import history_for
from loanwatch.core.forms import form_apply_error
from loanwatch.core.offline import keep_offline
from loanwatch.core.redirects import safe_next

from . import calendar, forms, selectors, services
from .models import CalendarFeed, PlannerRun, RevisitPolicy, ScheduleSettings

ALL_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)


# --- The plan ---------------------------------------------------------------------------------

@role_required(*ALL_ROLES)
@keep_offline
def plan(request: AuthenticatedHttpRequest) -> HttpResponse:
    """回访计划: the officer's own tasks; a supervisor's team; the whole bank for an admin —
    read a page at a time by due date."""
    today = timezone.localdate()
    filter_form = forms.PlanFilterForm(request.GET)
    filters = filter_form.values()
    weeks = filters["weeks"]
    # Plain rows: the administrator's menu names every officer of the bank.
    officers = [OfficerChoice(pk=pk, name=full_name or username, team_code="")
                for pk, full_name, username in selectors.officers_for_user(user=request.user)
                .values_list("pk", "full_name", "username")]
    officer_id = filters["officer"]
    if officer_id and officer_id not in {o.pk for o in officers}:
        officer_id = None
    by_district = filters["group"] == "district"
    the_plan = selectors.plan_for_user(user=request.user, today=today, query=request.GET,
                                       weeks=weeks,
                                       officer_id=officer_id, overdue_only=filters["overdue"])
    return render(request, "schedule/plan.html", {
        "plan": the_plan, "officers": officers, "officer_id": officer_id, "weeks": weeks,
        "by_district": by_district, "today": today, "filter_form": filter_form,
        "show_officer": request.user.role != Role.OFFICER,
        "date_form": forms.PlannedDateForm()})


@require_POST
@role_required(*ALL_ROLES)
def task_plan_date(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get_for_user(user=request.user, pk=pk)
    form = forms.PlannedDateForm(request.POST)
    if form.is_valid():
        services.task_plan_date(task=task, planned_on=form.cleaned_data["planned_on"])
        messages.success(request, _("Planned date saved."))
    else:
        messages.error(request, _("That is not a date."))
    return redirect(safe_next(request, candidate=request.POST.get("next"),
                              fallback="schedule:plan"))


# --- Calendar feed ----------------------------------------------------------------------------

@role_required(*ALL_ROLES)
def calendar_link(request: AuthenticatedHttpRequest) -> HttpResponse:
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = (request.build_absolute_uri(reverse("schedule:calendar_feed", args=[feed.token]))
           if feed else "")
    return render(request, "schedule/calendar.html", {"feed_url": url})


@require_POST
@role_required(*ALL_ROLES)
def calendar_renew(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.calendar_token_renew(user=request.user)
    messages.success(request, _("A new calendar link was made; the old one no longer works."))
    return redirect("schedule:calendar")


@login_not_required
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret link itself: calendar programs fetch it without signing in."""
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if feed is None or not feed.user.is_active:
        raise Http404
    body = calendar.ics(user=feed.user, tasks=selectors.calendar_tasks(user=feed.user),
                        site=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- Administration: risk groups and the policy ------------------------------------------------

@role_required(Role.ADMIN)
def risk_group_list(request: HttpRequest) -> HttpResponse:
    return render(request, "schedule/risk_group_list.html",
                  {"groups": RiskGroup.objects.all()})


@role_required(Role.ADMIN)
def risk_group_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    group = RiskGroup() if pk is None else RiskGroup.objects.filter(pk=pk).first()
    if group is None:
        raise Http404
    form = forms.RiskGroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        services.risk_group_save(group=RiskGroup.objects.get(pk=pk) if pk else RiskGroup(),
                                 data=data, acting_user=request.user)
        messages.success(request, _("Risk group saved."))
        return redirect("schedule:risk_group_list")
    return render(request, "schedule/risk_group_form.html", {
        "form": form, "group": group if pk else None,
        "history": history_for(obj=group) if pk else []})


@role_required(Role.ADMIN)
def policy(request: AuthenticatedHttpRequest) -> HttpResponse:
    groups = list(RiskGroup.objects.all())
    rules = ScheduleSettings.load()
    initial = forms.PolicyForm.initial_for(groups, RevisitPolicy.objects.all(), rules)
    form = forms.PolicyForm(request.POST or None, initial=initial, groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.policy_save(
                cells=form.cells(),
                cap_days=form.cleaned_data["high_risk_industry_cap_days"],
                first_check_days=form.cleaned_data["first_check_days"],
                reminder_days_before=form.cleaned_data["reminder_days_before"],
                risk_event_due_days=form.cleaned_data["risk_event_due_days"],
                acting_user=request.user)
        except ValidationError as error:
            form_apply_error(form, error)
        else:
            messages.success(request, _(
                "Policy saved. Tasks created: %(created)s, moved: %(moved)s, cancelled: "
                "%(cancelled)s.") % result.as_dict())
            return redirect("schedule:policy")
    return render(request, "schedule/policy.html", {
        "form": form, "runs": PlannerRun.objects.all()[:10]})


# --- Risk events ------------------------------------------------------------------------------

EVENTS_SHOWN = 100


@role_required(Role.SUPERVISOR, Role.ADMIN)
def event_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    # The latest EVENTS_SHOWN, newest first; one more is read to know whether there are more.
    events = list(selectors.events_for_user(user=request.user)[:EVENTS_SHOWN + 1])
    return render(request, "schedule/event_list.html", {
        "events": events[:EVENTS_SHOWN], "more": len(events) > EVENTS_SHOWN,
        "shown": EVENTS_SHOWN})


@role_required(Role.SUPERVISOR, Role.ADMIN)
def event_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    scope = customer_scope(user=request.user)
    initial = {"due_within_days": ScheduleSettings.load().risk_event_due_days}
    form = forms.RiskEventForm(request.POST or None, scope=scope, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        data["circle_of"] = form.circle_of
        event = services.risk_event_declare(acting_user=request.user, data=data,
                                            customer_ids=form.customer_ids)
        messages.success(request, _("Risk event declared: %(n)s customers to visit.")
                         % {"n": event.task_count})
        return redirect("schedule:event_list")
    return render(request, "schedule/event_form.html", {"form": form})
