"""The OpenAPI 3 schema validates, and its docs page loads only the app's own files."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.urls import reverse
from openapi_spec_validator import validate

from .helpers import bearer


def test_the_schema_is_valid_openapi_3_and_lists_every_endpoint(read_token):
    response = bearer(read_token[1]).get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/customers/", "/api/v1/loans/", "/api/v1/signals/", "/api/v1/visits/",
            "/api/v1/reports/", "/api/v1/warnings/", "/api/v1/changes/",
            "/api/v1/loan-status/", "/api/v1/loan-status/{id}/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"


def test_the_docs_page_uses_local_files_and_no_inline_script(admin_client_):
    response = admin_client_.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in s for s in sources)
    for source in sources:
        if source == "/manifest.webmanifest":
            continue  # the app's own manifest (loanwatch/core/offline.py), served by a view
        assert source.startswith("/static/"), source
        assert finders.find(source.removeprefix("/static/")), source
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert "default-src 'self'" in response["Content-Security-Policy"]
