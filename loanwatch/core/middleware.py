from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

# Everything the pages use is served by the app itself; no inline script, no inline style
# attribute, no framing. Scripts attach behaviour from static files.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


NUL = "\x00"


def _carries_nul(request: HttpRequest) -> bool:
    if NUL in request.path_info:
        return True
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return True
    # A quoted cookie may spell NUL as an octal escape, which the cookie parser decodes.
    if any(NUL in key or NUL in value for key, value in request.COOKIES.items()):
        return True
    return any(NUL in value for key, value in request.META.items()
               if key.startswith("HTTP_") and isinstance(value, str))


class RequestInputMiddleware:
    """Refuses, with 400, a request whose path, query string, cookies or headers carry NUL.

    No page has a use for NUL, and PostgreSQL refuses it in every text it is given: a NUL that
    reaches a query turns a crafted link into a server error (a search on the customer list, the
    calendar feed's token, a session cookie). One check here, before anything reads the request,
    spares every view its own. Form fields need none: Django's CharField refuses NUL with a
    message beside the field. The answer is plain text, so that it needs neither the session nor
    the database.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            return HttpResponseBadRequest(
                _("This request contains a NUL character, which no page accepts."),
                content_type="text/plain; charset=utf-8")
        return self.get_response(request)
