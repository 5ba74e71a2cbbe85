"""Where a page sends the user after a POST that names its own way back (`next`).

A `next` comes from the request, so an attacker can write it: one helper decides for every view
whether it stays on this site, so that no view can send a signed-in user on to a look-alike page.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, *, candidate: str | None, fallback: str) -> str:
    """`candidate` when it points at this site (same host; https when the request is), otherwise
    `fallback` (a URL, a path or a URL name)."""
    # Only a path or an absolute URL: a bare word would be taken for a URL name by redirect().
    if candidate and (candidate.startswith("/") or "://" in candidate) and \
            url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                            require_https=request.is_secure()):
        return candidate
    return resolve_url(fallback)
