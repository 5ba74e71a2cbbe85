"""Walk every URL the project defines with every role, against tests/access_matrix.py."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .access_matrix import LOGIN, PERSONAS, ROWS

# Infrastructure that is not ours to police here: Django's own admin site (staff only, tested by
# Django) and static files.
EXCLUDED_NAMESPACES = {"admin"}


def _named_urls(patterns, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names |= _named_urls(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{prefix}{entry.name}")
    return names


def test_every_url_has_a_row():
    defined = _named_urls(get_resolver().url_patterns)
    listed = {row.name for row in ROWS}
    assert not defined - listed, f"URLs without a row in tests/access_matrix.py: {defined - listed}"
    assert not listed - defined, f"rows for URLs that no longer exist: {listed - defined}"


@pytest.fixture
def personas(officer, officer_b, supervisor, supervisor_b, admin_user):
    return {"anon": None, "officer": officer, "officer_b": officer_b, "supervisor": supervisor,
            "supervisor_b": supervisor_b, "admin": admin_user}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.name)
def test_access(row, personas, db):
    kwargs = row.build(personas) if row.build else {}
    url = reverse(row.name, kwargs=kwargs)
    answers = {}
    for persona in PERSONAS:
        client = Client()
        if personas[persona] is not None:
            client.force_login(personas[persona])
        response = getattr(client, row.method)(url, row.data)
        if (response.status_code == 302
                and response["Location"].startswith(reverse(settings.LOGIN_URL))):
            answers[persona] = LOGIN
        else:
            answers[persona] = response.status_code
    assert answers == row.expect
