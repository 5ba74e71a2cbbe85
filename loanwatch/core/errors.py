"""The page a user sees when a request fails on the server.

Django's default 500 page is rendered without the request, so it cannot know the language or
what failed. This one looks at the exception being handled: when the database cannot be
reached, the answer is 503 with Retry-After (a load balancer and a browser both understand
"try again shortly"), and the wording never claims that anything was saved — a failure after
the commit and a failure before it look the same from here.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exception()
    unreachable = isinstance(error, OperationalError | InterfaceError)
    # Rendered without a RequestContext: its context processors would read the session and the
    # user, from the database that may be the thing that failed.
    body = render_to_string("503.html" if unreachable else "500.html", {
        "LANGUAGE_CODE": translation.get_language(),
        "was_post": request.method == "POST"})
    response = HttpResponse(body, status=503 if unreachable else 500)
    if unreachable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
