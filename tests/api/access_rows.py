"""Rows of the project's access matrix (tests/access_matrix.py) for the API.

The API answers tokens alone: a signed-in session is nobody to it, so every persona gets 401
there (tests/api/test_authentication.py covers tokens and scopes). The schema also answers an
administrator's session, for the docs page. The token pages are the administrators'."""

from __future__ import annotations

from loanwatch.api import services
from tests.access_matrix import Row, every, only


def _token(p: dict) -> dict:
    token, _secret = services.token_create(acting_user=p["admin"], name="warehouse",
                                           scopes=["read"])
    return {"pk": token.pk}


def _anything(p: dict) -> dict:
    return {"pk": 1}


NOBODY = every(401, anon=401)

API_ROWS: list[Row] = [
    Row("api:schema", only({"admin"}, anon=401)),
    Row("api:docs", only({"admin"})),
    Row("api:changes", NOBODY),
    *[Row(f"api:{kind}-list", NOBODY) for kind in
      ("customer", "loan", "signal", "visit", "report", "warning")],
    *[Row(f"api:{kind}-detail", NOBODY, build=_anything) for kind in
      ("customer", "loan", "signal", "visit", "report", "warning", "loan-status")],
    Row("api:loan-status-list", NOBODY, method="post"),
    Row("api_tokens:list", only({"admin"})),
    Row("api_tokens:create", only({"admin"})),
    Row("api_tokens:detail", only({"admin"}), build=_token),
    Row("api_tokens:revoke", only({"admin"}, status=302), method="post", build=_token),
]
