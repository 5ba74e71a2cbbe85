"""Every URL of the app, asked as an attacker would ask it, by every role: never a server error.

The URLs come from walking the URL resolver (Django's admin site included); a URL with a row in
tests/access_matrix.py gets that row's records, so that its page is reached for real. Each URL
is asked by the anonymous visitor, an officer, a supervisor and an administrator, by GET and by
POST:
- with NUL in every parameter, and in every path argument;
- with each of tests/hostile.URL_VALUES (impossible dates, a 31-digit number, a negative number,
  an id that is no number) in every parameter the app reads, rotated so that every parameter
  meets every value;
- with each of those values in every path argument whose pattern admits it (one it refuses is
  a 404 from Django's resolver before any code of ours runs).
A role the URL turns away before its view reads anything — sent to a sign-in page, 403, 405,
for GET and POST alike — is asked only with NUL: no parameter or argument reaches code that
could answer otherwise. (So Django's admin site, for staff only, is walked up to its sign-in.)
Any answer below 500 passes; what each refusal looks like is the business of each page's tests.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django import forms
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse

from loanwatch.accounts.roles import Role
from loanwatch.core.charts import charts

from .access_matrix import ROWS
from .factories import TeamFactory, UserFactory
from .hostile import NUL, URL_VALUES

ROLES = ("anon", "officer", "supervisor", "admin")
SOURCES = ("loanwatch", "customers", "visits", "reports")
FORM_MODULES = ["customers.forms", "customers.records.forms", "customers.feed.forms",
                "visits.forms", "visits.schedule.forms", "reports.forms",
                "loanwatch.accounts.forms", "loanwatch.core.keyset"]


@dataclass(frozen=True)
class Route:
    name: str  # "" for the admin site's unnamed redirects
    template: str  # the path, with {argument} where the pattern takes one
    arguments: tuple[str, ...]


_ROUTE_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_ARGUMENT = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")


def _template(pattern) -> str:
    text = str(pattern)
    if text.startswith("^") or text.endswith("$"):  # a regular expression (the admin site's)
        text = _REGEX_ARGUMENT.sub(lambda m: "{" + m[1] + "}", text.lstrip("^").rstrip("$"))
        return text.replace("\\", "")
    return _ROUTE_ARGUMENT.sub(lambda m: "{" + m[1] + "}", text)


def _walk(patterns, prefix: str = "", namespace: str = "") -> list[Route]:
    routes = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            routes += _walk(entry.url_patterns, prefix + _template(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            template = "/" + prefix + _template(entry.pattern)
            routes.append(Route(f"{namespace}{entry.name}" if entry.name else "", template,
                                tuple(re.findall(r"{(\w+)}", template))))
    return routes


ROUTES = _walk(get_resolver().url_patterns)
BUILDS = {row.name: row.build for row in ROWS}


def _parameter_names() -> list[str]:
    """Every name the app reads from a query string or a form: the names its code looks up, the
    charts' declared parameters and the fields of its forms."""
    names: set[str] = set()
    lookup = re.compile(r"""(?:GET|POST|get|params)\.get(?:list)?\(\s*["'](\w+)["']""")
    for source in SOURCES:
        for path in (Path(settings.BASE_DIR) / source).rglob("*.py"):
            names.update(lookup.findall(path.read_text(encoding="utf-8")))
    names.update(name for chart in charts() for name, _label, _kind in chart.params)
    for module in FORM_MODULES:
        for value in vars(importlib.import_module(module)).values():
            if isinstance(value, type) and issubclass(value, forms.BaseForm):
                names.update(getattr(value, "base_fields", {}))
    return sorted(names)


NAMES = _parameter_names()
ROTATIONS = [{name: URL_VALUES[(index + turn) % len(URL_VALUES)]
              for index, name in enumerate(NAMES)} for turn in range(len(URL_VALUES))]
NUL_EVERYWHERE = dict.fromkeys(NAMES, NUL)
# Answers given before a view reads the request: the sign-in pages, a role refused, a method
# the view does not take.
SIGN_IN_PAGES = (reverse(settings.LOGIN_URL), reverse("admin:login"))
UNREAD = (403, 405)


def _path(route: Route, kwargs: dict, hostile: dict | None = None) -> str:
    values = {name: str(kwargs.get(name, "1")) for name in route.arguments}
    values.update(hostile or {})
    return route.template.format(**values)


def _reaches_a_view(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


class Asker:
    """One role's client. Every request runs in a savepoint that is rolled back, and the
    client's cookies are put back after it: each request meets the same records and the same
    signed-in session, whatever the one before it did (a sign-out, a removal)."""

    def __init__(self, user) -> None:
        self.client = Client(raise_request_exception=True)
        if user is not None:
            self.client.force_login(user)
        self.cookies = {key: morsel.value for key, morsel in self.client.cookies.items()}

    def request(self, method: str, path: str, data: dict):
        """The response, or the exception that escaped: a server error."""
        self.client.cookies.clear()
        for key, value in self.cookies.items():
            self.client.cookies[key] = value
        try:
            with transaction.atomic():
                response = getattr(self.client, method)(quote(path), data)
                transaction.set_rollback(True)
        except Exception as error:  # noqa: BLE001 - whatever escapes is the server error sought
            return error
        return response

    def turned_away(self, path: str) -> bool:
        """Whether GET and POST both meet an answer given before the view reads anything."""
        for method in ("get", "post"):
            response = self.request(method, path, {})
            if isinstance(response, Exception) or not (
                    response.status_code in UNREAD or (
                        response.status_code == 302
                        and response["Location"].startswith(SIGN_IN_PAGES))):
                return False
        return True

    def failure(self, method: str, path: str, data: dict) -> str | None:
        response = self.request(method, path, data)
        if isinstance(response, Exception):
            return f"{type(response).__name__}: {str(response)[:200]}"
        if response.status_code >= 500:
            return f"answered {response.status_code}"
        return None


@pytest.fixture(scope="module")
def personas(django_db_setup, django_db_blocker):
    """The people the walk asks as and the access matrix's records name, made once for the whole
    walk and undone after it (each test still runs in its own savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        team_a = TeamFactory(code="WA", name="Walk team A")
        team_b = TeamFactory(code="WB", name="Walk team B")
        yield {
            "anon": None,
            "officer": UserFactory(username="walk_officer", team=team_a, role=Role.OFFICER),
            "officer_b": UserFactory(username="walk_officer_b", team=team_b, role=Role.OFFICER),
            "supervisor": UserFactory(username="walk_supervisor", team=team_a,
                                      role=Role.SUPERVISOR),
            "supervisor_b": UserFactory(username="walk_supervisor_b", team=team_b,
                                        role=Role.SUPERVISOR),
            "admin": UserFactory(username="walk_admin", team=None, role=Role.ADMIN),
        }
        transaction.set_rollback(True)


def test_the_walk_finds_the_app_and_the_parameters():
    names = {route.name for route in ROUTES}
    assert {"customers:customer_list", "schedule:calendar_feed", "core:chart_csv",
            "accounts:login", "admin:index"} <= names
    assert {"q", "from", "to", "officer", "team", "page", "next", "subject", "pk",
            "registered_capital", "planned_on"} <= set(NAMES)
    assert all(sorted(rotation[name] for rotation in ROTATIONS) == sorted(URL_VALUES)
               for name in NAMES)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name or r.template)
def test_no_hostile_request_gives_a_server_error(route, personas, db):
    build = BUILDS.get(route.name)
    kwargs = build(personas) if build else {}
    if build:
        reverse(route.name, kwargs=kwargs)  # the records built fit the pattern
    plain = _path(route, kwargs)
    hostile_paths = [path for path in (_path(route, kwargs, dict.fromkeys(route.arguments, value))
                                       for value in URL_VALUES)
                     if route.arguments and _reaches_a_view(path)]
    failures = []
    for role in ROLES:
        asker = Asker(personas[role])
        asks = [(method, plain, NUL_EVERYWHERE) for method in ("get", "post")]
        if route.arguments:
            asks.append(("get", _path(route, kwargs, dict.fromkeys(route.arguments, NUL)), {}))
        if not asker.turned_away(plain):
            asks += [("get", path, {}) for path in hostile_paths]
            asks += [(method, plain, data) for data in ROTATIONS for method in ("get", "post")]
        for method, path, data in asks:
            failure = asker.failure(method, path, data)
            if failure:
                shown = "NUL" if data is NUL_EVERYWHERE else sorted(set(data.values())) or ""
                failures.append(f"{role} {method.upper()} {path!r} {shown}: {failure}")
    assert not failures, "\n".join(failures)
