"""A risk signal is followed to the end: dismissed with a reason, taken into a report and
confirmed or opened again, or expired; the list, its filters and the home cards show where each
stands."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers import signal_selectors, signals
from customers.models import RiskSignal, SignalSettings
from customers.tasks import expire_signals
from reports import services as report_services
from tests.customers.factories import CustomerFactory
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = RiskSignal.Status


def _signal(customer, *, severity: str = "serious", days_old: int = 0, rule: str = "other",
            source: str = "manual") -> RiskSignal:
    return RiskSignal.objects.create(customer=customer, source=source, rule=rule,
                                     severity=severity,
                                     raised_at=timezone.now() - timedelta(days=days_old))


def _list(client, **params) -> str:
    response = client.get(reverse("customers:signal_list"), params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response


def _listed(client, **params) -> set[int]:
    return {signal.pk for signal in _list(client, **params).context["page"]}


# --- Dismissal -----------------------------------------------------------------------------------

def test_a_dismissal_needs_a_reason(officer):
    signal = _signal(CustomerFactory(officer=officer))
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as error:
            signals.signal_dismiss(signal=signal, acting_user=officer, reason=reason)
        assert "reason" in error.value.message_dict
    signal.refresh_from_db()
    assert signal.status == Status.OPEN


def test_the_officer_the_supervisor_and_an_admin_may_dismiss(officer, supervisor, admin_user):
    customer = CustomerFactory(officer=officer)
    for user in (officer, supervisor, admin_user):
        signal = signals.signal_dismiss(signal=_signal(customer), acting_user=user,
                                        reason="已电话核实，客户经营正常")
        assert (signal.status, signal.status_by, signal.status_reason) == (
            Status.DISMISSED, user, "已电话核实，客户经营正常")
        assert timezone.now() - signal.status_at < timedelta(minutes=1)


@pytest.mark.parametrize("outsider", ["officer_b", "supervisor_b"])
def test_another_team_may_not_dismiss(request, officer, outsider):
    signal = _signal(CustomerFactory(officer=officer))
    with pytest.raises(PermissionDenied):
        signals.signal_dismiss(signal=signal, acting_user=request.getfixturevalue(outsider),
                               reason="与我无关")
    signal.refresh_from_db()
    assert signal.status == Status.OPEN


def test_only_an_open_signal_is_dismissed(officer, supervisor):
    signal = signals.signal_dismiss(signal=_signal(CustomerFactory(officer=officer)),
                                    acting_user=officer, reason="误报")
    with pytest.raises(ValidationError):
        signals.signal_dismiss(signal=signal, acting_user=supervisor, reason="再次")
    signal.refresh_from_db()
    assert (signal.status_by, signal.status_reason) == (officer, "误报")


def test_the_officer_dismisses_on_the_list_and_the_supervisor_sees_it(officer_client,
                                                                      supervisor_client,
                                                                      officer):
    signal = _signal(CustomerFactory(officer=officer))
    assert signal.pk in _listed(officer_client)
    response = officer_client.post(reverse("customers:signal_dismiss", args=[signal.pk]),
                                   {"reason": "抵押物已补足", "next": "/customers/signals/"})
    assert response.status_code == 302 and response["Location"] == "/customers/signals/"

    assert signal.pk not in _listed(officer_client)
    assert signal.pk not in _listed(supervisor_client)
    page = _list(supervisor_client, status="dismissed").content.decode()
    assert "抵押物已补足" in page and str(officer) in page
    assert signal.pk in _listed(supervisor_client, status="all")


def test_an_empty_reason_is_refused_in_the_users_language(officer_client, officer):
    signal = _signal(CustomerFactory(officer=officer))
    url = reverse("customers:signal_dismiss", args=[signal.pk])
    response = officer_client.post(url, {"reason": " "}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "请说明排除该信号的原因。" in response.content.decode()
    response = officer_client.post(url, {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Say why the signal is dismissed." in response.content.decode()
    signal.refresh_from_db()
    assert signal.status == Status.OPEN


def test_another_teams_officer_finds_no_signal_to_dismiss(officer, officer_b):
    signal = _signal(CustomerFactory(officer=officer))
    client = Client()
    client.force_login(officer_b)
    response = client.post(reverse("customers:signal_dismiss", args=[signal.pk]),
                           {"reason": "越权"})
    assert response.status_code == 404
    signal.refresh_from_db()
    assert signal.status == Status.OPEN


def test_a_dismissal_needs_the_csrf_token(officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    signal = _signal(CustomerFactory(officer=officer))
    response = client.post(reverse("customers:signal_dismiss", args=[signal.pk]),
                           {"reason": "无令牌"})
    assert response.status_code == 403
    signal.refresh_from_db()
    assert signal.status == Status.OPEN


def test_the_sheet_offers_a_dismissal_for_open_signals(officer_client, officer):
    customer = CustomerFactory(officer=officer)
    open_signal = _signal(customer)
    closed = signals.signal_dismiss(signal=_signal(customer), acting_user=officer,
                                    reason="已处理完毕")
    page = officer_client.get(reverse("customers:customer_detail", args=[customer.pk]),
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("customers:signal_dismiss", args=[open_signal.pk]) in page
    assert reverse("customers:signal_dismiss", args=[closed.pk]) not in page
    assert "已处理完毕" in page


# --- Reports -------------------------------------------------------------------------------------

def _report_with_signals(officer, customer, *, keep: int | None = None):
    """A submitted report started from the customer's open signals; `keep` points kept."""
    report = report_services.report_start(customer=customer, acting_user=officer)
    points = list(report.points.order_by("pk"))
    if keep is not None:
        points = points[:keep]
    report_services.report_save(
        report=report, acting_user=officer, data={"assessment": "经营下滑"}, measures=[],
        classifications={}, points=[{"id": p.pk, "category": p.category,
                                     "severity": p.severity, "text": p.text} for p in points])
    return report_services.report_submit(report=report, acting_user=officer)


def _statuses(*signal_list) -> list[tuple[str, int | None]]:
    for signal in signal_list:
        signal.refresh_from_db()
    return [(signal.status, signal.report_id) for signal in signal_list]


def test_a_report_takes_open_signals_and_approval_confirms_them(officer, supervisor):
    customer = CustomerFactory(officer=officer)
    first, second = _signal(customer), _signal(customer, severity="warning")
    dismissed = signals.signal_dismiss(signal=_signal(customer), acting_user=officer,
                                       reason="误报")
    report = report_services.report_start(customer=customer, acting_user=officer)
    assert {p.signal_id for p in report.points.all()} == {first.pk, second.pk}
    assert _statuses(first, second, dismissed) == [
        (Status.IN_REPORT, report.pk), (Status.IN_REPORT, report.pk), (Status.DISMISSED, None)]
    # Another report finds nothing left to take in.
    assert not report_services.report_start(customer=customer,
                                            acting_user=officer).points.exists()


def test_approval_confirms_the_points_kept_and_opens_the_rest(officer, supervisor):
    customer = CustomerFactory(officer=officer)
    kept, dropped = _signal(customer), _signal(customer, severity="warning")
    report = _report_with_signals(officer, customer, keep=1)
    assert _statuses(kept, dropped) == [(Status.IN_REPORT, report.pk)] * 2
    report_services.report_decide(report=report, acting_user=supervisor, decision="approve")
    assert _statuses(kept, dropped) == [(Status.CONFIRMED, report.pk), (Status.OPEN, None)]
    assert kept.status_by == supervisor


def test_rejection_opens_the_signals_again(officer, supervisor):
    customer = CustomerFactory(officer=officer)
    signal = _signal(customer)
    report = _report_with_signals(officer, customer)
    report_services.report_decide(report=report, acting_user=supervisor, decision="reject",
                                  comment="证据不足")
    assert _statuses(signal) == [(Status.OPEN, None)]
    # The next report takes it in again.
    again = report_services.report_start(customer=customer, acting_user=officer)
    assert _statuses(signal) == [(Status.IN_REPORT, again.pk)]


def test_a_returned_report_keeps_its_signals(officer, supervisor):
    customer = CustomerFactory(officer=officer)
    signal = _signal(customer)
    report = _report_with_signals(officer, customer)
    report_services.report_decide(report=report, acting_user=supervisor, decision="return",
                                  comment="请补充")
    assert _statuses(signal) == [(Status.IN_REPORT, report.pk)]


# --- Expiry --------------------------------------------------------------------------------------

def test_expiry_ends_old_notices_and_warnings_and_keeps_serious_ones(officer):
    customer = CustomerFactory(officer=officer)
    old_notice = _signal(customer, severity="notice", days_old=200)
    old_warning = _signal(customer, severity="warning", days_old=181)
    old_serious = _signal(customer, severity="serious", days_old=900)
    young = _signal(customer, severity="warning", days_old=100)
    dismissed = signals.signal_dismiss(signal=_signal(customer, severity="notice", days_old=300),
                                       acting_user=officer, reason="误报")

    assert expire_signals() == 2
    assert [s for s, _ in _statuses(old_notice, old_warning, old_serious, young, dismissed)] == [
        Status.EXPIRED, Status.EXPIRED, Status.OPEN, Status.OPEN, Status.DISMISSED]
    expired_at = old_notice.status_at
    # Twice is the same as once.
    assert expire_signals() == 0
    old_notice.refresh_from_db()
    assert old_notice.status_at == expired_at


def test_expiry_follows_the_administrators_number(officer, admin_user):
    signals.signal_settings_save(acting_user=admin_user, stale_days=7, expire_days=30)
    signal = _signal(CustomerFactory(officer=officer), severity="warning", days_old=31)
    assert signals.signals_expire() == 1
    assert _statuses(signal) == [(Status.EXPIRED, None)]


def test_only_an_admin_sets_the_numbers(supervisor):
    with pytest.raises(PermissionDenied):
        signals.signal_settings_save(acting_user=supervisor, stale_days=1, expire_days=30)


def test_the_settings_page_saves_the_numbers(admin_client_):
    url = reverse("customers:signal_settings")
    assert admin_client_.get(url).status_code == 200
    response = admin_client_.post(url, {"stale_days": "21", "expire_days": "90"})
    assert response.status_code == 302
    row = SignalSettings.load()
    assert (row.stale_days, row.expire_days) == (21, 90)
    bad = admin_client_.post(url, {"stale_days": "0", "expire_days": "90"})
    assert bad.status_code == 200 and SignalSettings.load().stale_days == 21


def test_the_expiry_runs_each_night():
    entry = settings.CELERY_BEAT_SCHEDULE["risk-signals-expire"]
    assert entry["task"] == expire_signals.name


# --- Home cards ----------------------------------------------------------------------------------

def test_stale_serious_signals_on_the_officers_and_the_supervisors_home(
        officer, officer_b, supervisor, officer_client, supervisor_client):
    customer = CustomerFactory(officer=officer)
    stale = _signal(customer, days_old=20)
    _signal(customer, days_old=3)  # young
    _signal(customer, severity="warning", days_old=60)  # not serious
    signals.signal_dismiss(signal=_signal(customer, days_old=40), acting_user=officer,
                           reason="已处理")
    _signal(CustomerFactory(officer=officer_b), days_old=30)  # another team's

    for user in (officer, supervisor):
        card = signal_selectors.stale_signals_card(user=user)
        assert [s.pk for s in card["stale_signals"]] == [stale.pk]
        assert card["stale_signal_count"] == 1
    for client in (officer_client, supervisor_client):
        page = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert 'id="work-stale-signals"' in page and "open more than 14 days" in page

    SignalSettings.objects.update_or_create(pk=1, defaults={"stale_days": 30})
    assert signal_selectors.stale_signals_card(user=officer)["stale_signal_count"] == 0


def test_the_supervisor_sees_the_teams_recent_dismissals(officer, officer_b, supervisor):
    customer = CustomerFactory(officer=officer)
    recent = signals.signal_dismiss(signal=_signal(customer), acting_user=officer,
                                    reason="客户已还清逾期")
    old = signals.signal_dismiss(signal=_signal(customer), acting_user=officer, reason="旧")
    RiskSignal.objects.filter(pk=old.pk).update(status_at=timezone.now() - timedelta(days=15))
    signals.signal_dismiss(signal=_signal(CustomerFactory(officer=officer_b)),
                           acting_user=officer_b, reason="别的团队")
    card = signal_selectors.dismissals_card(user=supervisor)
    assert [s.pk for s in card["dismissals"]] == [recent.pk]
    assert card["dismissal_count"] == 1


# --- The list ------------------------------------------------------------------------------------

def test_the_list_filters(officer, supervisor, admin_user, officer_client, supervisor_client,
                          admin_client_, team_a):
    colleague = UserFactory(team=team_a, role="officer")
    mine = _signal(CustomerFactory(officer=officer), severity="serious", days_old=40)
    warning = _signal(CustomerFactory(officer=officer), severity="warning", source="visit",
                      rule="x", days_old=2)
    theirs = _signal(CustomerFactory(officer=colleague), severity="notice")
    elsewhere_team = TeamFactory(code="C", name="Team C")
    elsewhere = _signal(CustomerFactory(officer=UserFactory(team=elsewhere_team,
                                                            role="officer")))
    assert _listed(officer_client) == {mine.pk, warning.pk}
    assert _listed(supervisor_client) == {mine.pk, warning.pk, theirs.pk}
    assert _listed(supervisor_client, officer=colleague.pk) == {theirs.pk}
    # An officer cannot widen their list with another officer's id.
    assert _listed(officer_client, officer=colleague.pk) == {mine.pk, warning.pk}
    assert _listed(admin_client_) == {mine.pk, warning.pk, theirs.pk, elsewhere.pk}
    assert _listed(admin_client_, team=elsewhere_team.pk) == {elsewhere.pk}
    assert _listed(officer_client, severity="serious") == {mine.pk}
    assert _listed(officer_client, kind="visit") == {warning.pk}
    assert _listed(officer_client, age="30") == {mine.pk}
    signals.signal_dismiss(signal=mine, acting_user=officer, reason="误报")
    assert _listed(officer_client) == {warning.pk}
    assert _listed(officer_client, status="dismissed") == {mine.pk}
    # A parameter not understood is left out, and said so.
    response = _list(officer_client, age="abc", status="nonsense")
    assert {s.pk for s in response.context["page"]} == {warning.pk}
    assert 'id="filter-errors"' in response.content.decode()


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        _list(client, status="all")
    return len(captured)


@pytest.mark.parametrize("client_fixture", ["officer_client", "supervisor_client",
                                            "admin_client_"])
def test_the_list_costs_the_same_whatever_it_holds(request, client_fixture, officer):
    client = request.getfixturevalue(client_fixture)
    customer = CustomerFactory(officer=officer)
    signals.signal_dismiss(signal=_signal(customer), acting_user=officer, reason="误报")
    _list_queries(client)  # the administrator's bank-wide count is kept a few minutes
    small = _list_queries(client)
    # The session, the user, the count (the administrator's kept), the page's rows; the officer
    # choices of a supervisor, and the teams and officers of an admin.
    assert small == {"officer_client": 4, "supervisor_client": 5,
                     "admin_client_": 5}[client_fixture]
    for _ in range(5):
        other = CustomerFactory(officer=UserFactory(team=officer.team, role="officer"))
        _signal(other)
        signals.signal_dismiss(signal=_signal(other), acting_user=other.officer, reason="误报")
    assert _list_queries(client) == small
