"""A customer's standing warning (预警认定 → 处置 → 解除): raised by an approved report, moved by
later ones, ended only by an approved release, and for the levels an administrator chooses,
applied only after two approvals by two different people."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers import selectors as customer_selectors
from customers.ledger import portfolio_loans
from customers.models import Customer
from loanwatch.accounts.roles import Role
from loanwatch.core.models import Notification
from reports import selectors, services
from reports.models import CustomerWarning, ReportTransition, RiskReport, WarningApprovalSettings
from reports.sections import warning_section
from tests.customers.factories import CustomerFactory, LoanFactory
from tests.factories import UserFactory

from .factories import submitted_report

pytestmark = pytest.mark.django_db
backfill = importlib.import_module("reports.migrations.0004_standing_warnings")


def _approve(report, user):
    return services.report_decide(report=report, acting_user=user, decision="approve")


def _assessed(officer, supervisor, customer, level: str) -> RiskReport:
    return _approve(submitted_report(officer=officer, customer=customer, warning_level=level),
                    supervisor)


def _release(officer, customer, reason: str = "逾期已结清，经营恢复正常") -> RiskReport:
    report = services.release_start(customer=customer, acting_user=officer, assessment=reason)
    return services.report_submit(report=report, acting_user=officer)


def _standing(customer) -> tuple[str, object, list]:
    """The customer's copy of its warning, and its warnings' (level, status) newest first."""
    customer.refresh_from_db()
    return (customer.warning_level, customer.warning_since,
            [(w.level, w.status) for w in CustomerWarning.objects.filter(customer=customer)])


def _two_approvals_for(*levels: str) -> None:
    services.warning_approvals_save(acting_user=UserFactory(role=Role.ADMIN), levels=list(levels))


@pytest.fixture
def warned(officer, supervisor):
    """A customer with a standing yellow warning."""
    customer = CustomerFactory(officer=officer)
    report = _assessed(officer, supervisor, customer, "yellow")
    customer.refresh_from_db()
    return customer, report


def test_approving_a_report_with_a_level_raises_a_standing_warning(warned):
    customer, report = warned
    level, since, warnings = _standing(customer)
    assert (level, warnings) == ("yellow", [("yellow", "active")])
    warning = CustomerWarning.objects.get(customer=customer)
    assert since == warning.since == report.decided_at
    assert warning.raised_by == warning.last_report == report


def test_later_reports_raise_and_lower_the_level_and_keep_the_date(warned, officer, supervisor):
    customer, first = warned
    since = customer.warning_since
    raised = _assessed(officer, supervisor, customer, "orange")
    assert _standing(customer) == ("orange", since, [("orange", "active")])
    lowered = _assessed(officer, supervisor, customer, "blue")
    assert _standing(customer) == ("blue", since, [("blue", "active")])
    warning = CustomerWarning.objects.get(customer=customer)
    assert (warning.raised_by, warning.last_report) == (first, lowered) and raised != lowered


def test_a_report_without_a_level_leaves_the_warning_standing(warned, officer, supervisor):
    customer, _report = warned
    since = customer.warning_since
    _assessed(officer, supervisor, customer, "none")
    assert _standing(customer) == ("yellow", since, [("yellow", "active")])


def test_a_report_without_a_level_raises_nothing(officer, supervisor):
    customer = CustomerFactory(officer=officer)
    _assessed(officer, supervisor, customer, "none")
    assert _standing(customer) == ("none", None, [])


def test_an_approved_release_ends_the_warning(warned, officer, supervisor):
    customer, _report = warned
    release = _release(officer, customer)
    assert release.kind == RiskReport.Kind.RELEASE and release.warning_level == "none"
    _approve(release, supervisor)
    assert _standing(customer) == ("none", None, [("yellow", "released")])
    warning = CustomerWarning.objects.get(customer=customer)
    release.refresh_from_db()
    assert (warning.release_report, warning.released_at) == (release, release.decided_at)
    # A later report with a level raises a new warning, from its own date.
    again = _assessed(officer, supervisor, customer, "orange")
    level, since, warnings = _standing(customer)
    assert (level, since) == ("orange", again.decided_at)
    assert warnings == [("orange", "active"), ("yellow", "released")]


def test_a_rejected_or_returned_release_changes_nothing(warned, officer, supervisor):
    customer, _report = warned
    before = _standing(customer)
    release = _release(officer, customer)
    services.report_decide(report=release, acting_user=supervisor, decision="return",
                           comment="请附结清证明")
    assert _standing(customer) == before
    release = services.report_submit(report=release, acting_user=officer)
    services.report_decide(report=release, acting_user=supervisor, decision="reject",
                           comment="风险未消除")
    assert _standing(customer) == before


def test_release_needs_a_standing_warning_and_one_at_a_time(warned, officer, officer_b):
    customer, _report = warned
    with pytest.raises(ValidationError):
        services.release_start(customer=CustomerFactory(officer=officer), acting_user=officer,
                               assessment="无预警")
    with pytest.raises(PermissionDenied):
        services.release_start(customer=customer, acting_user=officer_b, assessment="越权")
    _release(officer, customer)
    with pytest.raises(ValidationError):
        services.release_start(customer=customer, acting_user=officer, assessment="再次")


def test_a_release_report_holds_only_the_reason(warned, officer):
    customer, _report = warned
    draft = services.release_start(customer=customer, acting_user=officer, assessment="")
    with pytest.raises(PermissionDenied):
        services.report_save(report=draft, acting_user=officer,
                             data={"assessment": "x", "warning_level": "red"}, points=[],
                             measures=[], classifications={})
    with pytest.raises(ValidationError):  # the reason is required
        services.report_submit(report=draft, acting_user=officer)


def test_the_author_cannot_decide_a_release(warned, supervisor, officer):
    customer, _report = warned
    UserFactory(role=Role.OFFICER, team=officer.team)
    release = services.release_start(customer=customer, acting_user=supervisor,
                                     assessment="已整改")
    release = services.report_submit(report=release, acting_user=supervisor)
    with pytest.raises(PermissionDenied):
        _approve(release, supervisor)
    with pytest.raises(PermissionDenied):
        _approve(release, officer)
    assert _standing(customer)[0] == "yellow"


# --- two approvals ------------------------------------------------------------------------------

def test_red_needs_two_approvals_by_default(officer, supervisor, admin_user):
    WarningApprovalSettings.objects.all().delete()  # as a fresh install without the row
    customer = CustomerFactory(officer=officer)
    report = submitted_report(officer=officer, customer=customer, warning_level="red")
    assert selectors.needs_two_approvals(report=report)
    _approve(report, supervisor)
    report.refresh_from_db()
    assert report.status == RiskReport.Status.SUBMITTED
    assert report.first_approved_by == supervisor
    assert _standing(customer) == ("none", None, [])
    # The administrator is told it awaits the second approval; the supervisor gave the first.
    assert Notification.objects.filter(recipient=admin_user,
                                       kind="reports.second_approval").count() == 1
    assert not selectors.approval_queue(user=supervisor).filter(pk=report.pk).exists()
    assert selectors.approval_queue(user=admin_user).filter(pk=report.pk).exists()
    _approve(report, admin_user)
    report.refresh_from_db()
    assert (report.status, report.decided_by) == (RiskReport.Status.APPROVED, admin_user)
    assert _standing(customer)[0] == "red"
    assert list(report.transitions.values_list("action", flat=True)) == [
        "created", "submitted", ReportTransition.Action.FIRST_APPROVAL, "approved"]


def test_the_first_approver_cannot_give_the_second(officer, supervisor):
    _two_approvals_for("orange")
    customer = CustomerFactory(officer=officer)
    report = submitted_report(officer=officer, customer=customer, warning_level="orange")
    _approve(report, supervisor)
    with pytest.raises(ValidationError):
        _approve(report, supervisor)
    report.refresh_from_db()
    assert report.status == RiskReport.Status.SUBMITTED
    assert _standing(customer) == ("none", None, [])
    # Another supervisor of the team gives the second.
    second = UserFactory(role=Role.SUPERVISOR, team=officer.team)
    _approve(report, second)
    assert _standing(customer)[0] == "orange"


def test_a_level_not_ticked_needs_one_approval(officer, supervisor):
    _two_approvals_for("orange")
    customer = CustomerFactory(officer=officer)
    _assessed(officer, supervisor, customer, "red")
    assert _standing(customer)[0] == "red"


def test_a_release_of_a_ticked_level_needs_two_approvals(officer, supervisor, admin_user):
    _two_approvals_for("yellow")
    customer = CustomerFactory(officer=officer)
    report = submitted_report(officer=officer, customer=customer, warning_level="yellow")
    _approve(report, supervisor)
    _approve(report, admin_user)
    release = _release(officer, customer)
    _approve(release, admin_user)
    assert _standing(customer)[0] == "yellow"
    _approve(release, supervisor)
    assert _standing(customer)[:2] == ("none", None)


def test_either_decider_can_reject_after_a_first_approval(officer, supervisor, admin_user):
    customer = CustomerFactory(officer=officer)
    report = submitted_report(officer=officer, customer=customer, warning_level="red")
    _approve(report, supervisor)
    services.report_decide(report=report, acting_user=admin_user, decision="return",
                           comment="请补充")
    report.refresh_from_db()
    assert report.status == RiskReport.Status.DRAFT and report.first_approved_by is None
    report = services.report_submit(report=report, acting_user=officer)
    _approve(report, admin_user)  # the first approval again: a return starts afresh
    report.refresh_from_db()
    assert report.status == RiskReport.Status.SUBMITTED
    assert _standing(customer)[0] == "none"


def test_only_admins_choose_the_levels(supervisor):
    with pytest.raises(PermissionDenied):
        services.warning_approvals_save(acting_user=supervisor, levels=["blue"])
    with pytest.raises(ValidationError):
        _two_approvals_for("none")
    _two_approvals_for("red", "blue")
    assert selectors.two_approval_levels() == ["blue", "red"]


def test_the_admin_page_saves_the_ticked_levels(admin_client_):
    url = reverse("reports:warning_approvals")
    page = admin_client_.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    ticked = set(re.findall(r'name="levels" value="(\w+)"[^>]*checked', page))
    assert ticked == {"red"}  # the default
    response = admin_client_.post(url, {"levels": ["orange", "red"]})
    assert response.status_code == 302
    assert selectors.two_approval_levels() == ["orange", "red"]


def test_the_report_page_and_queue_show_one_of_two_approvals(officer, supervisor,
                                                             admin_client_):
    report = submitted_report(officer=officer, warning_level="red")
    _approve(report, supervisor)
    page = admin_client_.get(reverse("reports:report_detail", kwargs={"pk": report.pk}),
                             HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 of 2 approvals" in page and 'id="decision"' in page
    queue = admin_client_.get(reverse("reports:report_queue"),
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 of 2 approvals" in queue


# --- pages --------------------------------------------------------------------------------------

def test_the_list_filters_by_warning(officer, supervisor):
    red = CustomerFactory(officer=officer, name="红色预警公司")
    yellow = CustomerFactory(officer=officer, name="黄色预警公司")
    CustomerFactory(officer=officer, name="无预警公司")
    Customer.objects.filter(pk=red.pk).update(warning_level="red")
    Customer.objects.filter(pk=yellow.pk).update(warning_level="yellow")

    def names(warning: str) -> set[str]:
        return {c.name for c in customer_selectors.customer_list_for_user(user=officer,
                                                                          warning=warning)}

    assert names("any") == {"红色预警公司", "黄色预警公司"}
    assert names("red") == {"红色预警公司"}
    assert len(names("")) == 3


def test_the_list_page_shows_the_badge_and_filters(officer, officer_client):
    customer = CustomerFactory(officer=officer, name="红色预警公司")
    Customer.objects.filter(pk=customer.pk).update(warning_level="red")
    CustomerFactory(officer=officer, name="无预警公司")
    page = officer_client.get(reverse("customers:customer_list"), {"warning": "red"},
                              HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "红色预警公司" in page and "无预警公司" not in page
    assert 'data-warning="red"' in page


def test_the_sheet_shows_the_warning_and_the_release_link(warned, officer, officer_client):
    customer, report = warned
    url = reverse("customers:customer_detail", kwargs={"pk": customer.pk})
    page = officer_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="standing-warning-level"' in page
    assert reverse("reports:report_detail", kwargs={"pk": report.pk}) in page
    assert reverse("reports:release_start", kwargs={"customer_pk": customer.pk}) in page
    release = _release(officer, customer)
    page = officer_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="release-proposed"' in page and 'id="propose-release"' not in page
    assert reverse("reports:report_detail", kwargs={"pk": release.pk}) in page


@pytest.mark.parametrize("size", [1, 4])
def test_the_warning_section_costs_one_query(officer, supervisor, size):
    customer = CustomerFactory(officer=officer)
    for _ in range(size):
        _assessed(officer, supervisor, customer, "yellow")
        _approve(_release(officer, customer), supervisor)
    _assessed(officer, supervisor, customer, "blue")
    _release(officer, customer)
    with CaptureQueriesContext(connection) as captured:
        context = warning_section(customer=customer, user=officer)
    assert len(captured) == 1
    assert context["warning"].level == "blue" and context["warning"].open_release_pk


def test_the_release_page_saves_and_submits(warned, officer, officer_client):
    customer, _report = warned
    url = reverse("reports:release_start", kwargs={"customer_pk": customer.pk})
    assert officer_client.get(url).status_code == 200
    response = officer_client.post(url, {"assessment": "", "submit": "1"})
    assert response.status_code == 200 and not RiskReport.objects.filter(kind="release").exists()
    response = officer_client.post(url, {"assessment": "欠款已清偿", "submit": "1",
                                         "warning_level": "red"})
    release = RiskReport.objects.get(kind="release")
    assert response.status_code == 302
    assert (release.status, release.assessment, release.warning_level) == (
        "submitted", "欠款已清偿", "none")
    # A second visit to the page leads to the proposed release.
    assert officer_client.get(url)["Location"] == reverse("reports:report_detail",
                                                          kwargs={"pk": release.pk})


def test_home_cards_show_active_warnings(warned, officer, officer_client, supervisor_client):
    customer, _report = warned
    home = officer_client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="work-my-warnings"' in home and customer.name in home
    home = supervisor_client.get(reverse("core:home"),
                                 HTTP_ACCEPT_LANGUAGE="en").content.decode()
    card = home.split('id="work-warnings"')[1]
    assert 'data-level="yellow">1<' in card


def test_the_ledger_shows_the_standing_warning(warned, officer):
    customer, _report = warned
    LoanFactory(customer=customer)
    (row,) = portfolio_loans(customers=Customer.objects.filter(pk=customer.pk))
    customer.refresh_from_db()
    assert row["ledger_standing_warning"] == "yellow"
    assert row["ledger_warning_since"] == customer.warning_since


def test_the_migration_backfills_standing_warnings(officer, supervisor):
    """Before standing warnings, a report without a level ended the warning: the backfill
    raises one where the latest approved assessment has a level, dated from the start of the
    run of approved reports with a level that ends with it."""
    now = timezone.now()

    def approved(customer, level: str, days_ago: int) -> RiskReport:
        return RiskReport.objects.create(customer=customer, author=officer, status="approved",
                                         warning_level=level, decided_by=supervisor,
                                         decided_at=now - timedelta(days=days_ago))

    raised, ended, again = CustomerFactory.create_batch(3, officer=officer)
    first = approved(raised, "yellow", 30)
    latest = approved(raised, "red", 10)
    approved(ended, "red", 30)
    approved(ended, "none", 10)
    approved(again, "orange", 40)
    approved(again, "none", 30)
    restart = approved(again, "blue", 20)
    RiskReport.objects.create(customer=ended, author=officer, warning_level="red")  # a draft

    backfill.backfill_warnings(django_apps, None)

    warning = CustomerWarning.objects.get(customer=raised)
    assert (warning.level, warning.status, warning.since) == ("red", "active", first.decided_at)
    assert (warning.raised_by, warning.last_report) == (first, latest)
    assert _standing(raised)[:2] == ("red", first.decided_at)
    assert _standing(ended) == ("none", None, [])
    assert _standing(again) == ("blue", restart.decided_at, [("blue", "active")])


def test_the_first_approver_is_offered_only_to_reject_or_return(officer, supervisor):
    report = submitted_report(officer=officer, warning_level="red")
    _approve(report, supervisor)
    client = Client()
    client.force_login(supervisor)
    page = client.get(reverse("reports:report_detail", kwargs={"pk": report.pk}))
    choices = [value for value, _label in page.context["decision_form"].fields["decision"].choices]
    assert choices == ["return", "reject"]
    client.post(reverse("reports:report_decide", kwargs={"pk": report.pk}),
                {"decision": "return", "comment": "再核实一下"})
    report.refresh_from_db()
    assert report.status == RiskReport.Status.DRAFT and report.first_approved_by is None
