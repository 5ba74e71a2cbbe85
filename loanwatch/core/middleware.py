from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, UnreadablePostError
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


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
TAIL = 200 + 8  # a boundary is at most 70 characters (RFC 2046); room for the closing dashes


def _lacks_closing_boundary(request: HttpRequest, tail: bytes) -> bool:
    boundary = (request.content_params or {}).get("boundary", "").encode("ascii", "replace")
    return bool(boundary) and not tail.rstrip(b"\r\n").endswith(b"--" + boundary + b"--")


class _WholeBodyStream:
    """Reads a request body and fails, instead of ending quietly, when the client's input stops
    before the length its Content-Length announced."""

    def __init__(self, stream: Any, expected: int) -> None:
        self._stream = stream
        self._expected = expected
        self._seen = 0
        self.tail = b""  # the last bytes read, where a multipart body's closing boundary is

    def _short(self) -> UnreadablePostError:
        return UnreadablePostError(
            f"request body ended after {self._seen} of {self._expected} bytes")

    def read(self, size: int | None = None, /) -> bytes:
        remaining = self._expected - self._seen
        want = remaining if size is None or size < 0 else min(size, remaining)
        chunks: list[bytes] = []
        got = 0
        # A stream may hand back less than asked: ask again, and only an empty read is its end.
        while got < want:
            chunk = self._stream.read(want - got)
            if not chunk:
                raise self._short()
            chunks.append(chunk)
            got += len(chunk)
            self._seen += len(chunk)
        data = b"".join(chunks)
        self.tail = (self.tail + data)[-TAIL:]
        return data

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()

    def readline(self, size: int | None = None, /) -> bytes:
        if size == 0:
            return b""
        line = self._stream.readline() if size is None else self._stream.readline(size)
        self._seen += len(line)
        if not line and self._seen < self._expected:
            raise self._short()
        self.tail = (self.tail + line)[-TAIL:]
        return line


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


class CompleteBodyMiddleware:
    """Refuses, with 400 and before any view runs, a request whose body is shorter than its
    Content-Length, or a multipart body without its closing boundary.

    A phone that loses signal mid-upload sends the headers with the full length and then only
    part of the body. Parsed as it stands, the cut-off form would read as a form whose later
    fields were left empty, and be saved over the officer's work. The body is read here, for
    every form at once: a form body through Django's parser, which streams files to the upload
    handlers rather than into memory; any other body up to the size Django would read into
    memory anyway. The answer is plain text, in the reader's language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        expected = _content_length(request)
        stream = getattr(request, "_stream", None)
        if expected and stream is not None:
            whole = _WholeBodyStream(stream, expected)
            request._stream = whole  # type: ignore[assignment]
            try:
                if request.content_type in FORM_TYPES:
                    request.POST  # noqa: B018  (reads and parses the whole body now)
                    # A body of the full length that stops before its closing boundary was
                    # cut off all the same (a client that sent its length and gave up).
                    if request.content_type == FORM_TYPES[0] and _lacks_closing_boundary(
                            request, whole.tail):
                        raise UnreadablePostError("multipart body without its closing boundary")
                elif expected <= (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or expected):
                    request.body  # noqa: B018
            except UnreadablePostError:
                return HttpResponseBadRequest(
                    _("The request arrived incomplete, so nothing was saved. "
                      "Check the connection and send it again."),
                    content_type="text/plain; charset=utf-8")
        return self.get_response(request)
