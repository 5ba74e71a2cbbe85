"""LoanWatch on a phone without a network: installable (a web app manifest), and a service worker
that keeps the pages an officer needs in the field.

The service worker (`/sw.js`, rendered from templates/core/sw.js with the static files' current
names) serves static files from its cache and asks the network first for every page. A page is
kept for offline use only when its view says so with `keep_offline` — the visit form, the plan,
the customer's briefing — and then only in a cache of the signed-in user, which the worker
empties when another user, or nobody, is signed in on the device (static/loanwatch/offline.js
tells it who is). Nothing posted is ever cached; what is sent offline waits in the page's own
queue (visits/static/visits/queue.js).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# The response header that marks a page the worker may keep: its value is the user's id, so that
# a page is only ever kept in that user's cache.
KEEP_HEADER = "X-Offline-Keep"
WORKBOX = ("core", "routing", "strategies", "expiration")


def keep_offline(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let the service worker keep this page (a GET answered 200 to a signed-in user) for
    offline use, in that user's cache only."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.offline_keep = True  # type: ignore[attr-defined]  # base.html reads it
        response = view(request, *args, **kwargs)
        if (request.method == "GET" and response.status_code == 200
                and request.user.is_authenticated
                and response.get("Content-Type", "").startswith("text/html")):
            response[KEEP_HEADER] = str(request.user.pk)
        return response

    return wrapped


@require_GET
@never_cache
@login_not_required
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, at the site's root so that its scope covers every page."""
    body = render_to_string("core/sw.js", {
        "workbox": [static(f"vendor/workbox/workbox-{part}.prod.js") for part in WORKBOX],
        "static_prefix": static(""),
        "keep_header": KEEP_HEADER,
        "offline_text": _("You are offline, and this page was not kept on this device. The "
                          "visit forms, the plan and the customer pages you opened recently "
                          "are: go back and open one of them."),
    }, request=request)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
@login_not_required
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: what the phone's home screen shows and how the app opens."""
    response = JsonResponse({
        "id": "/",
        "name": _("LoanWatch — post-loan management"),
        "short_name": _("LoanWatch"),
        "description": _("Visits, plans and risk signals for loan officers, also offline."),
        "lang": request.LANGUAGE_CODE,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": "#0d6efd",
        "background_color": "#f8f9fa",
        "icons": [
            {"src": static("loanwatch/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("loanwatch/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("loanwatch/icon-maskable-512.png"), "sizes": "512x512",
             "type": "image/png", "purpose": "maskable"},
        ],
    }, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "max-age=3600"
    return response
