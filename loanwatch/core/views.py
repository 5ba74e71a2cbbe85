from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from loanwatch.accounts.roles import Role

from . import selectors


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


def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on a home page made for its day's work."""
    role = request.user.role
    if role == Role.ADMIN:
        return render(request, "core/home_admin.html", selectors.admin_home(user=request.user))
    if role == Role.SUPERVISOR:
        return render(request, "core/home_supervisor.html",
                      selectors.supervisor_home(user=request.user))
    if role == Role.OFFICER:
        return render(request, "core/home_officer.html", selectors.officer_home(user=request.user))
    # Signed in but given no role yet: nothing to show beyond a clear explanation.
    return render(request, "core/home_norole.html", status=403)
