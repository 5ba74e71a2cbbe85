"""The access matrix: what every URL answers to every role.

One row per named URL. `build` (optional) creates the records the URL needs, owned by the
personas of team A (officer, supervisor), and returns the URL's kwargs. Statuses: an int, or
LOGIN for a redirect to the sign-in page. Personas: anon, officer, officer_b (another team),
supervisor, supervisor_b (another team), admin.

A URL the project defines without a row here fails tests/test_access_matrix.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from loanwatch.core.models import HeldPost
from loanwatch.core.once import new_key

LOGIN = "login"
PERSONAS = ("anon", "officer", "officer_b", "supervisor", "supervisor_b", "admin")


@dataclass(frozen=True)
class Row:
    name: str
    expect: dict[str, int | str]
    method: str = "get"
    build: Callable[[dict], dict] | None = None
    data: dict = field(default_factory=dict)


def every(status: int | str, anon: int | str = LOGIN) -> dict[str, int | str]:
    """The same answer for every signed-in persona."""
    return {"anon": anon, **{p: status for p in PERSONAS if p != "anon"}}


def only(roles: set[str], status: int = 200, others: int = 403,
         anon: int | str = LOGIN) -> dict[str, int | str]:
    """Allowed roles get `status`, other signed-in roles `others`."""
    return {"anon": anon, **{p: status if p in roles else others
                             for p in PERSONAS if p != "anon"}}


def scoped(owner_status: int = 200) -> dict[str, int | str]:
    """A record of team A's officer: theirs, their supervisor's and the admin's; 404 elsewhere."""
    return {"anon": LOGIN, "officer": owner_status, "officer_b": 404,
            "supervisor": owner_status, "supervisor_b": 404, "admin": owner_status}


def _held(p: dict) -> dict:
    held = HeldPost.objects.create(user=p["officer"], token=new_key(), path="/customers/new/",
                                   data={"name": ["甲公司"]})
    return {"token": held.token}


ROWS: list[Row] = [
    Row("core:home", every(200)),
    Row("core:healthz", every(200, anon=200)),
    Row("core:ping", every(200, anon=200)),
    # What makes the app installable: public, like the static files they name.
    Row("core:service_worker", every(200, anon=200)),
    Row("core:manifest", every(200, anon=200)),
    Row("accounts:login", every(302, anon=200)),  # signed-in users go to their home page
    Row("accounts:logout", every(405)),  # GET never signs anybody out
    Row("set_language", every(302, anon=302), method="post", data={"language": "en"}),
    Row("javascript-catalog", every(200)),
    Row("core:notification_list", every(200)),
    Row("core:dashboard", every(200)),
    Row("core:chart_json", every(200), build=lambda p: {"key": "risk-groups"}),
    Row("core:chart_csv", every(200), build=lambda p: {"key": "classifications"}),
    Row("core:notification_badge", every(200)),
    # A post kept across an idle-out: its user's alone.
    Row("core:held_post", {"anon": LOGIN, "officer": 200, "officer_b": 404, "supervisor": 404,
                           "supervisor_b": 404, "admin": 404}, build=_held),
    Row("core:keep_alive", every(200), method="post"),
    Row("core:notification_read", every(302), method="post"),
    Row("accounts:second_factor", only({"supervisor", "supervisor_b", "admin"})),
    # Only a session that owes a code sees the page; a settled one is sent on.
    Row("accounts:second_factor_verify", every(302)),
    Row("accounts:recovery_codes", only({"supervisor", "supervisor_b", "admin"}, status=302)),
    Row("accounts:recovery_codes_done", every(302)),
    Row("accounts:password_change", every(200)),
    Row("accounts:preferences", every(200)),
    Row("admin_sign_in", every(LOGIN)),  # the app's sign-in page, for everyone
    Row("accounts:user_list", only({"admin"})),
    Row("accounts:user_create", only({"admin"})),
    Row("accounts:user_detail", only({"admin"}), build=lambda p: {"pk": p["officer"].pk}),
    Row("accounts:user_password", only({"admin"}, status=400), method="post",
        build=lambda p: {"pk": p["officer"].pk}),
    Row("accounts:user_unlock", only({"admin"}, status=302), method="post",
        build=lambda p: {"pk": p["officer"].pk}),
    Row("accounts:user_second_factor_reset", only({"admin"}, status=302), method="post",
        build=lambda p: {"pk": p["supervisor"].pk}),
    Row("accounts:team_list", only({"admin"})),
    Row("accounts:team_create", only({"admin"})),
    Row("accounts:team_edit", only({"admin"}), build=lambda p: {"pk": p["officer"].team_id}),
]

# Each app keeps its rows beside its tests; imported last because they build on Row above.
from .customers.access_rows import CUSTOMER_ROWS  # noqa: E402

ROWS += CUSTOMER_ROWS
from .visits.access_rows import VISIT_ROWS  # noqa: E402

ROWS += VISIT_ROWS
from .customers.records.access_rows import RECORD_ROWS  # noqa: E402

ROWS += RECORD_ROWS
from .reports.access_rows import REPORT_ROWS  # noqa: E402

ROWS += REPORT_ROWS
from .visits.schedule.access_rows import SCHEDULE_ROWS  # noqa: E402

ROWS += SCHEDULE_ROWS
from .customers.feed.access_rows import FEED_ROWS  # noqa: E402

ROWS += FEED_ROWS
from .api.access_rows import API_ROWS  # noqa: E402

ROWS += API_ROWS
