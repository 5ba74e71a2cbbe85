"""Every view that takes a `next` sends the user back only to this site: a link an attacker
crafts cannot turn a LoanWatch form into a springboard to a look-alike page."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from customers.models import RiskSignal
from loanwatch.core import services as core_services
from loanwatch.core.redirects import safe_next
from reports import services as report_services
from reports.models import FollowUp
from tests.customers.factories import CustomerFactory
from tests.reports.factories import measure, submitted_report
from visits.schedule import services as schedule_services

OFF_SITE = [
    "https://evil.example/",
    "http://evil.example/customers/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example/",
]
SAME_SITE = "/customers/?page=2&q=%E5%8C%97%E4%BA%AC"


# --- the helper --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_helper_refuses_every_off_site_target(target):
    request = RequestFactory().post("/")
    assert safe_next(request, candidate=target, fallback="core:home") == reverse("core:home")


def test_the_helper_keeps_a_path_or_an_address_of_this_site():
    request = RequestFactory().post("/")
    assert safe_next(request, candidate=SAME_SITE, fallback="core:home") == SAME_SITE
    own = "http://testserver/reports/"
    assert safe_next(request, candidate=own, fallback="core:home") == own
    assert safe_next(request, candidate="", fallback="core:home") == reverse("core:home")
    assert safe_next(request, candidate=None, fallback="/x/") == "/x/"


@pytest.mark.parametrize("word", ["-1", "2026-02-30", "\u00b2", "core:home", "reports"])
def test_a_bare_word_is_no_target(word):
    """redirect() would look a bare word up as a URL name (and fail with a 500)."""
    request = RequestFactory().post("/")
    assert safe_next(request, candidate=word, fallback="core:home") == reverse("core:home")


def test_over_https_the_helper_refuses_a_plain_http_address_of_this_site():
    request = RequestFactory().post("/", secure=True)
    plain = "http://testserver/reports/"
    assert safe_next(request, candidate=plain, fallback="core:home") == reverse("core:home")
    assert safe_next(request, candidate="https://testserver/reports/",
                     fallback="core:home") == "https://testserver/reports/"


# --- every view that takes `next` ------------------------------------------------------------


@dataclass(frozen=True)
class NextCase:
    """A POST that carries `next`: who sends it, where, with what, and where it lands otherwise."""

    url: str
    data: dict
    fallback: str
    client: Client


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _reassign(p) -> NextCase:
    customer = CustomerFactory(officer=p["officer"])
    return NextCase(reverse("customers:customer_reassign"),
                    {"customers": [customer.pk], "to_officer": p["officer"].pk},
                    reverse("customers:customer_list"), _signed_in(p["supervisor"]))


def _plan_date(p) -> NextCase:
    customer = CustomerFactory(officer=p["officer"])
    task, _ = schedule_services.task_raise(customer=customer, reason="manual",
                                           due_on=timezone.localdate())
    return NextCase(reverse("schedule:task_plan_date", kwargs={"pk": task.pk}),
                    {"planned_on": timezone.localdate().isoformat()},
                    reverse("schedule:plan"), _signed_in(p["officer"]))


def _proposal(p) -> NextCase:
    return NextCase(reverse("visits:proposal_create", kwargs={"question": 1}),
                    {"language": "en", "text": "Ask about the busy months first."},
                    reverse("visits:draft_list"), _signed_in(p["officer"]))


def _follow_up(p) -> NextCase:
    report = submitted_report(officer=p["officer"], measures=[{"measure": measure("recall")}])
    report_services.report_decide(report=report, acting_user=p["supervisor"],
                                  decision="approve")
    item = FollowUp.objects.get(report=report)
    return NextCase(reverse("reports:follow_up_done", kwargs={"pk": item.pk}),
                    {"outcome": "已提前收回贷款"},
                    reverse("core:home"), _signed_in(p["officer"]))


def _notification(p) -> NextCase:
    note = core_services.notification_create(recipient=p["officer"], kind="system.message",
                                             params={"text": "请核查客户流水"}, url="/")
    return NextCase(reverse("core:notification_read"), {"pk": note.pk},
                    reverse("core:notification_list"), _signed_in(p["officer"]))


def _dismiss(p) -> NextCase:
    signal = RiskSignal.objects.create(customer=CustomerFactory(officer=p["officer"]),
                                       source="manual", rule="other")
    return NextCase(reverse("customers:signal_dismiss", kwargs={"pk": signal.pk}),
                    {"reason": "已核实"}, reverse("customers:signal_list"),
                    _signed_in(p["officer"]))


def _language(p) -> NextCase:
    # Django's own view, kept in the list so that a replacement of it is held to the same rule.
    return NextCase(reverse("set_language"), {"language": "en"}, "/", _signed_in(p["officer"]))


VIEWS: dict[str, Callable[[dict], NextCase]] = {
    "customers:customer_reassign": _reassign,
    "customers:signal_dismiss": _dismiss,
    "schedule:task_plan_date": _plan_date,
    "visits:proposal_create": _proposal,
    "reports:follow_up_done": _follow_up,
    "core:notification_read": _notification,
    "set_language": _language,
}


@pytest.fixture
def personas(officer, supervisor) -> dict:
    return {"officer": officer, "supervisor": supervisor}


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("target", OFF_SITE)
def test_no_view_sends_the_user_off_site(view, target, personas):
    case = VIEWS[view](personas)
    response = case.client.post(case.url, {**case.data, "next": target})
    assert response.status_code == 302
    assert response["Location"] == case.fallback


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_returns_to_the_page_of_this_site_it_was_given(view, personas):
    case = VIEWS[view](personas)
    response = case.client.post(case.url, {**case.data, "next": SAME_SITE})
    assert response.status_code == 302
    assert response["Location"] == SAME_SITE


def test_every_next_is_read_through_the_helper_and_every_sender_is_covered_here():
    """A view that starts reading `next`, or a form that starts sending it, joins VIEWS above."""
    root = Path(__file__).resolve().parents[2]
    folders = ("customers", "visits", "reports", "loanwatch", "templates")
    unguarded = [
        f"{path.relative_to(root)}: {line.strip()}"
        for folder in folders for path in (root / folder).rglob("*.py")
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"""(GET|POST|META)\b.*["'](next|HTTP_REFERER)["']""", line)
        and "safe_next(" not in line
    ]
    assert not unguarded
    # Templates, and the tags that write rows in Python.
    senders = sorted(
        str(path.relative_to(root))
        for folder in folders
        for path in [*(root / folder).rglob("*.html"), *(root / folder).rglob("templatetags/*.py")]
        if 'name="next"' in path.read_text(encoding="utf-8")
    )
    assert senders == [
        "customers/templates/customers/_signal_dismiss_form.html",  # signal_dismiss
        "customers/templates/customers/customer_list.html",  # customer_reassign
        "reports/templates/reports/follow_up_done.html",  # follow_up_done
        "templates/includes/language_switcher.html",  # set_language
        "visits/schedule/templatetags/plan_rows.py",  # task_plan_date
        "visits/templates/visits/visit_form.html",  # proposal_create
    ]
