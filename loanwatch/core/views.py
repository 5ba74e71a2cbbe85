from __future__ import annotations

import csv
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from loanwatch.accounts.access import AuthenticatedHttpRequest, role_required
from loanwatch.accounts.middleware import REFRESHED_AT
from loanwatch.accounts.roles import Role

from . import charts, selectors, services
from .held import FIELD as HELD_FIELD
from .held import held_for
from .home import render_cards
from .query import query_int
from .redirects import safe_next
from .spreadsheets import safe_row


@require_GET
@never_cache
@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and monitoring: no login, no HTML, 503 if a store is down."""
    database = selectors.database_ok()
    broker = selectors.broker_ok()
    beat = selectors.heartbeat_last(name="beat") if database else None
    body = {
        "status": "ok" if database and broker else "error",
        "database": "ok" if database else "down",
        "broker": "ok" if broker else "down",
        "last_beat_tick": beat.isoformat() if beat else None,
        "time": timezone.now().isoformat(),
    }
    return JsonResponse(body, status=200 if database and broker else 503)


@require_GET
@login_not_required
def ping(request: HttpRequest) -> HttpResponse:
    """Liveness without dependencies: the process answers. Also the benchmark's floor."""
    return HttpResponse("ok", content_type="text/plain")


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each role lands on a home page made for its day's work."""
    role, user = request.user.role, request.user
    pages: dict[str, tuple[str, Callable[..., dict[str, Any]]]] = {
        Role.ADMIN: ("core/home_admin.html", selectors.admin_home),
        Role.SUPERVISOR: ("core/home_supervisor.html", selectors.supervisor_home),
        Role.OFFICER: ("core/home_officer.html", selectors.officer_home)}
    if role in pages:
        template, own = pages[role]
        return render(request, template, {**own(user=user),
                                          "cards": render_cards(request=request)})
    # Signed in but given no role yet: nothing to show beyond a clear explanation.
    return render(request, "core/home_norole.html", status=403)


def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "core/notification_list.html", {"page": page})


def notification_badge(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The unread count in the menu, loaded after the page so pages keep their query count."""
    return render(request, "core/notification_badge.html",
                  {"unread": selectors.notification_unread_count(user=request.user)})


@require_POST
def notification_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.notification_mark_read(recipient=request.user,
                                    pk=query_int(request.POST.get("pk")))
    return redirect(safe_next(request, candidate=request.POST.get("next"),
                              fallback="core:notification_list"))


# --- Charts ----------------------------------------------------------------------------------

DASHBOARD_ROLES = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN)


@role_required(*DASHBOARD_ROLES)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """Every chart of the user's scope; the browser fetches each one's figures as JSON."""
    return render(request, "core/dashboard.html", {"charts": charts.charts()})


@role_required(*DASHBOARD_ROLES)
@require_GET
def chart_json(request: AuthenticatedHttpRequest, key: str) -> JsonResponse:
    chart = charts.chart(key)
    try:
        figures = charts.data(key=key, user=request.user, params=request.GET)
    except ValidationError as error:
        # The dashboard shows these beside the chart.
        return JsonResponse({"key": chart.key, "errors": error.messages}, status=400)
    return JsonResponse({"key": chart.key, "title": str(chart.title), "kind": chart.kind,
                         **figures.as_json()})


@role_required(*DASHBOARD_ROLES)
@require_GET
def chart_csv(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    """The chart's numbers for a spreadsheet: one row per series, one column per label."""
    chart = charts.chart(key)
    try:
        figures = charts.data(key=key, user=request.user, params=request.GET).as_json()
    except ValidationError as error:
        return HttpResponseBadRequest("\n".join(error.messages),
                                      content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chart.key}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 Chinese only with the byte-order mark
    writer = csv.writer(response)
    writer.writerow(safe_row(["", *figures["labels"]]))
    for series in figures["series"]:
        writer.writerow(safe_row([series["label"], *series["values"]]))
    return response


@never_cache
def held_post(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """What the user sent after their session idled out: send it again, or discard it."""
    held = held_for(user=request.user, token=token)
    if held is None:
        raise Http404
    if request.method == "POST":  # discard
        held.delete()
        messages.info(request, _("What you sent was discarded."))
        return redirect("core:home")
    fields = [(key, value) for key, values in held.data.items() for value in values]
    try:
        resolve(held.path)
    except Resolver404:
        raise Http404 from None
    return render(request, "core/held_post.html", {
        "held": held, "fields": fields, "field_name": HELD_FIELD,
        "shown": [(key, value) for key, value in fields if not key.startswith("_")
                  and key != "version" and value][:40]})


@require_POST
def keep_alive(request: AuthenticatedHttpRequest) -> JsonResponse:
    """"Stay signed in": saving the session pushes its idle expiry forward."""
    request.session[REFRESHED_AT] = time.time()
    return JsonResponse({"remaining": settings.SESSION_COOKIE_AGE})
