"""The report workflow through its services: who may do what, what an approval changes, and
that it changes everything or nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from pghistory.models import Events

from customers.models import Classification, RiskGroup, RiskSignal
from loanwatch.accounts.roles import Role
from loanwatch.core.models import Notification
from loanwatch.core.services import notification_email
from reports import services
from reports.models import FollowUp, ReportTransition, RiskPoint, RiskReport
from tests.customers.factories import CustomerFactory, LoanFactory
from tests.factories import UserFactory
from visits.schedule.models import RevisitTask

from .factories import draft_report, measure, submitted_report, submitted_visit

pytestmark = pytest.mark.django_db


def _approve(report, user, comment: str = ""):
    return services.report_decide(report=report, acting_user=user, decision="approve",
                                  comment=comment)


def test_a_report_starts_from_the_visit_signals_and_recent_record_findings(officer):
    customer = CustomerFactory(officer=officer)
    visit = submitted_visit(customer=customer)
    older = submitted_visit(customer=customer, visited_on=date(2026, 1, 5))
    RiskSignal.objects.create(customer=customer, source="visit", source_id=visit.pk,
                              rule="wages_late", severity="serious")
    RiskSignal.objects.create(customer=customer, source="visit", source_id=older.pk,
                              rule="old_finding")
    RiskSignal.objects.create(customer=customer, source="record_check", source_id=99,
                              rule="enforcement", severity="serious")
    RiskSignal.objects.create(customer=customer, source="record_check", source_id=98,
                              rule="stale", raised_at=timezone.now() - timedelta(days=400))

    report = services.report_start(customer=customer, acting_user=officer, visit=visit)

    points = list(report.points.order_by("pk"))
    assert [(p.signal.rule, p.category, p.severity) for p in points] == [
        ("wages_late", RiskPoint.Category.OPERATIONS, "serious"),
        ("enforcement", RiskPoint.Category.LEGAL, "serious")]
    assert report.status == RiskReport.Status.DRAFT and report.author == officer


def test_a_report_needs_a_submitted_visit_of_the_same_customer(officer):
    customer = CustomerFactory(officer=officer)
    draft_visit = submitted_visit(customer=customer)
    draft_visit.status = "draft"
    draft_visit.save()
    with pytest.raises(ValidationError):
        services.report_start(customer=customer, acting_user=officer, visit=draft_visit)
    other = submitted_visit(customer=CustomerFactory(officer=officer))
    with pytest.raises(ValidationError):
        services.report_start(customer=customer, acting_user=officer, visit=other)


def test_a_report_without_a_visit_is_allowed(officer):
    report = services.report_start(customer=CustomerFactory(officer=officer),
                                   acting_user=officer)
    assert report.visit is None


def test_an_officer_of_another_team_cannot_start_a_report(officer, officer_b):
    with pytest.raises(PermissionDenied):
        services.report_start(customer=CustomerFactory(officer=officer), acting_user=officer_b)


def test_only_the_author_edits_and_only_a_draft(officer, supervisor):
    report = draft_report(officer=officer)
    with pytest.raises(PermissionDenied):
        services.report_save(report=report, acting_user=supervisor, data={}, points=[],
                             measures=[], classifications={})
    services.report_submit(report=report, acting_user=officer)
    with pytest.raises(PermissionDenied):
        services.report_save(report=report, acting_user=officer, data={}, points=[],
                             measures=[], classifications={})
    with pytest.raises(PermissionDenied):
        services.report_submit(report=report, acting_user=officer)


def test_a_report_is_submitted_only_with_an_assessment(officer):
    report = draft_report(officer=officer, assessment="  ")
    with pytest.raises(ValidationError) as error:
        services.report_submit(report=report, acting_user=officer)
    assert "assessment" in error.value.message_dict


def test_submitting_tells_the_team_supervisors(officer, supervisor, supervisor_b):
    report = submitted_report(officer=officer)
    told = Notification.objects.filter(kind="reports.awaiting")
    assert [n.recipient for n in told] == [supervisor]
    assert told.get().url == f"/reports/{report.pk}/"


@pytest.mark.parametrize("decider", ["officer", "officer_b"])
def test_officers_decide_nothing(request, officer, officer_b, decider):
    report = submitted_report(officer=officer)
    with pytest.raises(PermissionDenied):
        _approve(report, request.getfixturevalue(decider))


def test_a_supervisor_of_another_team_cannot_decide(officer, supervisor_b):
    report = submitted_report(officer=officer)
    with pytest.raises(PermissionDenied):
        _approve(report, supervisor_b)
    report.refresh_from_db()
    assert report.status == RiskReport.Status.SUBMITTED


def test_nobody_approves_their_own_report(team_a, supervisor):
    """A supervisor who writes a report needs another supervisor or an admin to decide it."""
    report = submitted_report(officer=supervisor,
                              customer=CustomerFactory(officer=UserFactory(team=team_a)))
    with pytest.raises(PermissionDenied):
        _approve(report, supervisor)
    admin = UserFactory(team=None, role=Role.ADMIN)
    assert _approve(report, admin).status == RiskReport.Status.APPROVED


@pytest.mark.parametrize("decision,status", [("approve", "approved"), ("reject", "rejected")])
def test_supervisor_and_admin_decide(officer, supervisor, admin_user, decision, status):
    for decider in (supervisor, admin_user):
        report = submitted_report(officer=officer)
        decided = services.report_decide(report=report, acting_user=decider,
                                          decision=decision, comment="同意" )
        assert decided.status == status and decided.decided_by == decider
        assert Notification.objects.filter(recipient=officer, kind=f"reports.{status}",
                                           params__pk=report.pk).exists()


def test_a_decided_report_is_not_decided_again(officer, supervisor, admin_user):
    report = submitted_report(officer=officer)
    _approve(report, supervisor)
    with pytest.raises(ValidationError) as error:
        services.report_decide(report=report, acting_user=admin_user, decision="reject",
                               comment="不同意")
    assert str(supervisor) in error.value.messages[0]
    report.refresh_from_db()
    assert report.status == RiskReport.Status.APPROVED


def test_rejecting_or_returning_needs_a_comment(officer, supervisor):
    report = submitted_report(officer=officer)
    for decision in ("reject", "return"):
        with pytest.raises(ValidationError):
            services.report_decide(report=report, acting_user=supervisor, decision=decision)


def test_a_returned_report_goes_back_to_its_author_with_the_comment(officer, supervisor):
    report = submitted_report(officer=officer)
    services.report_decide(report=report, acting_user=supervisor, decision="return",
                           comment="请补充现金流分析")
    report.refresh_from_db()
    assert report.status == RiskReport.Status.DRAFT
    assert report.decision_comment == "请补充现金流分析"

    point = report.points.get()
    services.report_save(report=report, acting_user=officer,
                         data={"assessment": "补充：经营现金流连续两季为负"},
                         points=[{"id": point.pk, "category": "finance", "severity": "serious",
                                  "text": "经营现金流为负"}], measures=[], classifications={})
    services.report_submit(report=report, acting_user=officer)
    report.refresh_from_db()
    assert report.status == RiskReport.Status.SUBMITTED
    assert report.decision_comment == "请补充现金流分析"  # kept until the next decision
    assert list(report.transitions.values_list("action", "by__username", "comment")) == [
        ("created", "officer_a", ""), ("submitted", "officer_a", ""),
        ("returned", "supervisor_a", "请补充现金流分析"), ("submitted", "officer_a", "")]
    # The author's edits after the return are in the audit trail.
    assessments = list(Events.objects.tracks(report).order_by("pgh_created_at")
                       .values_list("pgh_data__assessment", flat=True))
    assert "补充：经营现金流连续两季为负" in assessments and "经营下滑，需加强监控" in assessments
    texts = set(Events.objects.tracks(point).values_list("pgh_data__text", flat=True))
    assert texts == {"应收账款大幅增加", "经营现金流为负"}


def test_a_proposed_classification_cannot_fall_below_the_floor(officer):
    customer = CustomerFactory(officer=officer)
    loan = LoanFactory(customer=customer, days_past_due=120,
                       classification=Classification.SUBSTANDARD)
    with pytest.raises(ValidationError) as error:
        draft_report(officer=officer, customer=customer,
                     classifications={loan.pk: Classification.SPECIAL_MENTION})
    assert "120" in error.value.message_dict["classifications"][0]
    report = draft_report(officer=officer, customer=customer,
                          classifications={loan.pk: Classification.DOUBTFUL})
    assert report.classifications.get().classification == Classification.DOUBTFUL


def test_a_loan_of_another_customer_cannot_be_classified(officer):
    stranger = LoanFactory(customer=CustomerFactory(officer=officer))
    with pytest.raises(ValidationError):
        draft_report(officer=officer, classifications={stranger.pk: Classification.LOSS})


def test_approval_applies_everything_the_report_proposes(officer, supervisor, admin_user):
    customer = CustomerFactory(officer=officer)
    loan = LoanFactory(customer=customer, days_past_due=10,
                       classification=Classification.SPECIAL_MENTION)
    high = RiskGroup.objects.exclude(pk=customer.risk_group_id).order_by("-order").first()
    report = submitted_report(
        officer=officer, customer=customer, warning_level="red", proposed_risk_group=high,
        classifications={loan.pk: Classification.SUBSTANDARD},
        measures=[{"measure": measure("reduce_line"), "due_on": date(2026, 12, 31),
                   "note": "压降至500万"}, {"measure": measure("more_visits")}])

    _approve(report, supervisor)
    _approve(report, admin_user)  # a red warning needs two approvals

    customer.refresh_from_db()
    loan.refresh_from_db()
    assert customer.risk_group == high
    assert loan.classification == Classification.SUBSTANDARD
    items = list(FollowUp.objects.filter(report=report).order_by("pk"))
    assert [(i.measure.code, i.owner, i.due_on, i.note) for i in items] == [
        ("reduce_line", officer, date(2026, 12, 31), "压降至500万"),
        ("more_visits", officer, timezone.localdate() + timedelta(days=30), "")]
    urgent = RevisitTask.objects.get(customer=customer, source_key=f"report:{report.pk}")
    assert urgent.reason == "manual" and urgent.due_on == timezone.localdate()
    assert str(report.pk) in urgent.note
    # The loan's change went through the customers service: it is in the loan's trail.
    assert Events.objects.tracks(loan).filter(
        pgh_data__classification="substandard").exists()


def test_an_approval_that_fails_halfway_changes_nothing(officer, supervisor, admin_user):
    """The risk group is applied first; the classification after it is refused because the
    loan's days past due rose meanwhile; nothing of the approval may remain."""
    customer = CustomerFactory(officer=officer)
    loan = LoanFactory(customer=customer, days_past_due=10,
                       classification=Classification.SPECIAL_MENTION)
    before_group = customer.risk_group_id
    high = RiskGroup.objects.exclude(pk=before_group).order_by("-order").first()
    report = submitted_report(
        officer=officer, customer=customer, warning_level="red", proposed_risk_group=high,
        classifications={loan.pk: Classification.SUBSTANDARD},
        measures=[{"measure": measure("recall")}])
    type(loan).objects.filter(pk=loan.pk).update(days_past_due=300)  # floor now: doubtful
    _approve(report, supervisor)  # the first of the two a red warning needs

    with pytest.raises(ValidationError):
        _approve(report, admin_user)

    customer.refresh_from_db()
    loan.refresh_from_db()
    report.refresh_from_db()
    assert customer.risk_group_id == before_group
    assert loan.classification == Classification.SPECIAL_MENTION
    assert report.status == RiskReport.Status.SUBMITTED and report.decided_by is None
    assert not FollowUp.objects.exists()
    assert not RevisitTask.objects.filter(source_key=f"report:{report.pk}").exists()
    assert not ReportTransition.objects.filter(report=report, action="approved").exists()
    assert not Notification.objects.filter(kind="reports.approved").exists()


def test_a_follow_up_is_done_once(officer, supervisor):
    report = submitted_report(officer=officer, measures=[{"measure": measure("other")}])
    _approve(report, supervisor)
    item = FollowUp.objects.get()
    services.follow_up_done(item=item, acting_user=officer, outcome="已增加回访")
    item.refresh_from_db()
    assert item.done_at is not None and item.done_by == officer and item.status == "done"
    with pytest.raises(ValidationError):
        services.follow_up_done(item=item, acting_user=supervisor, outcome="已完成")


def test_the_supervisor_is_mailed_in_their_language(officer, supervisor):
    supervisor.language = "zh-hans"
    supervisor.save()
    report = submitted_report(officer=officer)
    waiting = Notification.objects.get(kind="reports.awaiting", recipient=supervisor)
    assert notification_email(notification_id=waiting.pk) is True
    assert report.customer.name in mail.outbox[0].subject
    assert "待您审批" in mail.outbox[0].subject
    assert f"/reports/{report.pk}/" in mail.outbox[0].body


def test_an_approved_report_keeps_what_it_changed(officer, supervisor, admin_user):
    """The report shows the group and classification as the approval moved them, however the
    customer changes afterwards."""
    groups = list(RiskGroup.objects.order_by("order"))
    low, high = groups[0], groups[-1]
    customer = CustomerFactory(officer=officer, risk_group=low)
    loan = LoanFactory(customer=customer, days_past_due=10,
                       classification=Classification.PASS)
    report = submitted_report(officer=officer, customer=customer, proposed_risk_group=high,
                              classifications={loan.pk: Classification.SPECIAL_MENTION})
    _approve(report, supervisor)
    # Later the customer moves on: another approved report, and the loan worsens again.
    later = submitted_report(officer=officer, customer=customer, proposed_risk_group=groups[1],
                             classifications={loan.pk: Classification.SUBSTANDARD})
    _approve(later, supervisor)

    report.refresh_from_db()
    assert (report.risk_group_before, report.risk_group_after) == (low, high)
    proposal = report.classifications.get()
    assert (proposal.classification_before, proposal.classification) == (
        Classification.PASS, Classification.SPECIAL_MENTION)
    later.refresh_from_db()
    assert (later.risk_group_before, later.risk_group_after) == (high, groups[1])
    assert later.classifications.get().classification_before == Classification.SPECIAL_MENTION


def test_a_report_not_yet_approved_stores_no_before_and_after(officer, supervisor):
    customer = CustomerFactory(officer=officer)
    loan = LoanFactory(customer=customer, days_past_due=0, classification=Classification.PASS)
    report = submitted_report(officer=officer, customer=customer,
                              classifications={loan.pk: Classification.SPECIAL_MENTION})
    services.report_decide(report=report, acting_user=supervisor, decision="reject",
                           comment="证据不足")
    report.refresh_from_db()
    assert report.risk_group_before is None and report.risk_group_after is None
    assert report.classifications.get().classification_before == ""
    loan.refresh_from_db()
    assert loan.classification == Classification.PASS


def test_a_point_taken_from_a_signal_reads_in_each_readers_language(officer):
    """The system's words are worded when read; the author's own words stay as written."""
    customer = CustomerFactory(officer=officer)
    RiskSignal.objects.create(customer=customer, source="feed", source_id=1,
                              rule="feed_first_past_due", severity="warning",
                              params={"contract": "HT-1", "days": 12, "as_of": "2026-11-29"})
    with translation.override("zh-hans"):
        report = services.report_start(customer=customer, acting_user=officer)
    point = report.points.get()
    with translation.override("en"):
        assert point.wording == "Loan HT-1 fell past due (12 days) as of 2026-11-29."
        english = point.wording
    with translation.override("zh-hans"):
        assert point.wording != english and "HT-1" in point.wording

    # Saved unchanged (as an English reader's form shows it): still the signal's words.
    item = {"id": point.pk, "category": point.category, "severity": point.severity}
    with translation.override("en"):
        services.report_save(report=report, acting_user=officer, data={},
                             points=[{**item, "text": english}], measures=[],
                             classifications={})
    point.refresh_from_db()
    assert point.text == ""
    # Edited: the author's words, shown to every reader as written.
    services.report_save(report=report, acting_user=officer, data={},
                         points=[{**item, "text": "逾期系临时资金周转所致"}], measures=[],
                         classifications={})
    point.refresh_from_db()
    with translation.override("en"):
        assert point.wording == "逾期系临时资金周转所致"
