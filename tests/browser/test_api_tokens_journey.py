"""An administrator creates a token for an integration, copies it from the one page that shows
it, reads the API's docs page (Swagger UI from the app's own files, within the CSP) and revokes
the token."""

from __future__ import annotations

from django.test import Client

from loanwatch.api.models import ApiToken

from ..factories import TEST_PASSWORD
from .conftest import sign_in


def test_an_administrator_creates_reads_the_docs_and_revokes(page, admin_user, language):
    sign_in(page, admin_user.username, TEST_PASSWORD)
    page.goto("/api-tokens/")
    with page.expect_navigation():
        page.click("#new-token")
    page.fill("input[name=name]", "数据仓库")
    page.check("input[name=scopes][value=read]")
    with page.expect_navigation():
        page.click("main form [type=submit]")
    secret = page.locator("#token-secret").inner_text().strip()
    assert secret.startswith("lw_")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/customers/").status_code == 200

    page.goto("/api/docs/")
    page.wait_for_selector("#swagger-ui .opblock-tag", timeout=20_000)
    assert page.locator("#swagger-ui").inner_text().count("/api/v1/") >= 1 or \
        page.locator("#swagger-ui .opblock-tag").count() >= 5

    page.goto(f"/api-tokens/{ApiToken.objects.get().pk}/")
    assert secret not in page.content()
    with page.expect_navigation():
        page.click("#revoke-token")
    assert client.get("/api/v1/customers/").status_code == 401
