"""An approved measure is followed to the end: its owner writes down the outcome (with an
evidence file if they have one), a measure the catalogue flags waits for a supervisor's
sign-off, and measures past their due date show on the supervisor's home page and in the daily
digest."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from loanwatch.accounts.roles import Role
from loanwatch.core.models import Notification
from reports import services
from reports.models import FollowUp, Measure
from tests.core.test_home_queries import QUERIES, _queries
from tests.factories import UserFactory
from visits.schedule.services import overdue_digest_send

from .factories import measure, submitted_report

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # uploaded evidence stays in the test's folder


def _approved(officer, supervisor, code: str, due_on: datetime.date | None = None) -> FollowUp:
    proposal = {"measure": measure(code)}
    if due_on:
        proposal["due_on"] = due_on
    report = submitted_report(officer=officer, measures=[proposal])
    services.report_decide(report=report, acting_user=supervisor, decision="approve")
    return FollowUp.objects.get(report=report)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_catalogue_marks_the_exposure_changing_measures():
    flagged = set(Measure.objects.filter(needs_sign_off=True).values_list("code", flat=True))
    assert flagged == {"more_security", "reduce_line", "recall"}


def test_a_measure_without_a_proposed_date_is_due_thirty_days_after_approval(officer,
                                                                             supervisor):
    item = _approved(officer, supervisor, "more_visits")
    assert item.due_on == timezone.localdate() + datetime.timedelta(days=30)
    assert item.status == FollowUp.Status.OPEN


def test_done_is_a_form_whose_outcome_is_required(officer, officer_client, supervisor):
    item = _approved(officer, supervisor, "more_visits")
    url = reverse("reports:follow_up_done", kwargs={"pk": item.pk})
    page = officer_client.get(url)
    assert page.status_code == 200 and 'name="outcome"' in page.content.decode()

    refused = officer_client.post(url, {"outcome": "   "})
    assert refused.status_code == 200
    assert refused.context["form"].errors["outcome"]
    with pytest.raises(ValidationError) as error:
        services.follow_up_done(item=item, acting_user=officer, outcome="")
    assert "outcome" in error.value.message_dict
    item.refresh_from_db()
    assert item.status == FollowUp.Status.OPEN and item.done_at is None

    saved = officer_client.post(url, {"outcome": "已改为每月回访一次"})
    assert saved.status_code == 302
    item.refresh_from_db()
    assert item.status == FollowUp.Status.DONE
    assert (item.outcome, item.done_by) == ("已改为每月回访一次", officer)


def test_a_flagged_measure_waits_for_the_supervisors_sign_off(officer, officer_client,
                                                             supervisor):
    other_supervisor = UserFactory(team=officer.team, role=Role.SUPERVISOR)
    item = _approved(officer, supervisor, "more_security")
    officer_client.post(reverse("reports:follow_up_done", kwargs={"pk": item.pk}),
                        {"outcome": "已追加房产抵押，办妥登记",
                         "evidence": SimpleUploadedFile("抵押登记.pdf", PDF)})
    item.refresh_from_db()
    assert item.status == FollowUp.Status.AWAITING_SIGN_OFF
    assert item.evidence_name == "抵押登记.pdf"
    asked = set(Notification.objects.filter(kind="reports.follow_up_sign_off")
                .values_list("recipient", flat=True))
    assert asked == {supervisor.pk, other_supervisor.pk}
    # Still on the officer's card, marked as waiting, with no "Done" to press again.
    home = officer_client.get(reverse("core:home")).content.decode()
    assert str(measure("more_security")) in home
    assert reverse("reports:follow_up_sign_off", kwargs={"pk": item.pk}) in home
    assert reverse("reports:follow_up_done", kwargs={"pk": item.pk}) not in home

    page = _client(supervisor).get(reverse("reports:follow_up_sign_off",
                                           kwargs={"pk": item.pk}))
    assert 'id="sign-off"' in page.content.decode()
    _client(supervisor).post(reverse("reports:follow_up_sign_off", kwargs={"pk": item.pk}),
                             {"decision": "approve"})
    item.refresh_from_db()
    assert item.status == FollowUp.Status.DONE and item.signed_off_by == supervisor
    assert str(measure("more_security")) not in officer_client.get(
        reverse("core:home")).content.decode()


def test_whoever_recorded_the_outcome_cannot_sign_it_off(officer, supervisor, admin_user):
    item = _approved(officer, supervisor, "recall")
    services.follow_up_done(item=item, acting_user=supervisor, outcome="贷款已提前收回")
    item.refresh_from_db()
    assert item.status == FollowUp.Status.AWAITING_SIGN_OFF
    # The recorder is not asked, and may not sign off, by the page or the service.
    assert not Notification.objects.filter(kind="reports.follow_up_sign_off",
                                           recipient=supervisor).exists()
    client = _client(supervisor)
    url = reverse("reports:follow_up_sign_off", kwargs={"pk": item.pk})
    assert 'id="sign-off"' not in client.get(url).content.decode()
    assert client.post(url, {"decision": "approve"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.follow_up_sign_off(item=item, acting_user=supervisor, decision="approve")
    # Nor may the owner sign off their own measure.
    with pytest.raises(PermissionDenied):
        services.follow_up_sign_off(item=item, acting_user=officer, decision="approve")
    services.follow_up_sign_off(item=item, acting_user=admin_user, decision="approve")
    item.refresh_from_db()
    assert item.status == FollowUp.Status.DONE and item.signed_off_by == admin_user


def test_sent_back_the_measure_is_open_again_with_the_reason(officer, officer_client,
                                                            supervisor):
    item = _approved(officer, supervisor, "reduce_line")
    services.follow_up_done(item=item, acting_user=officer, outcome="额度已压降")
    client = _client(supervisor)
    url = reverse("reports:follow_up_sign_off", kwargs={"pk": item.pk})
    refused = client.post(url, {"decision": "return", "comment": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["comment"]
    item.refresh_from_db()
    assert item.status == FollowUp.Status.AWAITING_SIGN_OFF

    client.post(url, {"decision": "return", "comment": "请附上额度变更通知书"})
    item.refresh_from_db()
    assert item.status == FollowUp.Status.OPEN
    assert item.sign_off_comment == "请附上额度变更通知书"
    assert item.done_by is None and item.signed_off_by is None
    told = Notification.objects.get(kind="reports.follow_up_returned")
    assert told.recipient == officer
    form = officer_client.get(reverse("reports:follow_up_done", kwargs={"pk": item.pk}))
    assert "请附上额度变更通知书" in form.content.decode()
    # Recorded again, it goes back to the supervisor.
    services.follow_up_done(item=item, acting_user=officer, outcome="额度已压降，通知书见附件",
                            evidence=SimpleUploadedFile("通知书.pdf", PDF))
    item.refresh_from_db()
    assert item.status == FollowUp.Status.AWAITING_SIGN_OFF


def test_only_the_owner_the_teams_supervisor_or_an_admin_records_an_outcome(
        officer, supervisor, officer_b, supervisor_b):
    colleague = UserFactory(team=officer.team, role=Role.OFFICER)
    item = _approved(officer, supervisor, "more_visits")
    url = reverse("reports:follow_up_done", kwargs={"pk": item.pk})
    # An officer sees only their own customers: a colleague's measure is not there for them.
    for outsider in (colleague, officer_b, supervisor_b):
        assert _client(outsider).get(url).status_code == 404
        assert _client(outsider).post(url, {"outcome": "x"}).status_code == 404
    item.refresh_from_db()
    assert item.status == FollowUp.Status.OPEN


def test_the_evidence_upload_refuses_a_disguised_file(officer, officer_client, supervisor):
    item = _approved(officer, supervisor, "more_security")
    response = officer_client.post(
        reverse("reports:follow_up_done", kwargs={"pk": item.pk}),
        {"outcome": "已追加担保",
         "evidence": SimpleUploadedFile("担保合同.pdf", b"MZ\x90\x00\x03 an executable")})
    assert response.status_code == 200
    assert response.context["form"].errors["evidence"]
    item.refresh_from_db()
    assert item.status == FollowUp.Status.OPEN and not item.evidence
    assert not Notification.objects.filter(kind="reports.follow_up_sign_off").exists()


def test_the_evidence_is_downloaded_only_within_the_customers_scope(officer, officer_client,
                                                                   supervisor, officer_b):
    item = _approved(officer, supervisor, "more_visits")
    services.follow_up_done(item=item, acting_user=officer, outcome="已增加回访",
                            evidence=SimpleUploadedFile("回访记录.pdf", PDF))
    url = reverse("reports:follow_up_evidence", kwargs={"pk": item.pk})
    response = officer_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert _client(officer_b).get(url).status_code == 404
    page = _client(officer_b).get(reverse("reports:follow_up_sign_off", kwargs={"pk": item.pk}))
    assert page.status_code == 404


def test_overdue_measures_show_on_the_supervisors_home_and_the_officers_card(
        officer, officer_client, supervisor, supervisor_b):
    late = _approved(officer, supervisor, "recall", due_on=datetime.date(2026, 1, 10))
    _approved(officer, supervisor, "more_visits",
              due_on=timezone.localdate() + datetime.timedelta(days=5))
    done_late = _approved(officer, supervisor, "other", due_on=datetime.date(2026, 1, 5))
    services.follow_up_done(item=done_late, acting_user=officer, outcome="已处理")
    days = (timezone.localdate() - datetime.date(2026, 1, 10)).days

    page = _client(supervisor).get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en")
    assert [i.pk for i in page.context["overdue_measures"]] == [late.pk]
    assert page.context["overdue_measures_count"] == 1
    html = page.content.decode()
    card = html[html.index('id="overdue-measures"'):]
    assert late.customer.name in card and str(officer) in card and f">{days}<" in card
    assert _client(supervisor_b).get(reverse("core:home")).context["overdue_measures"] == []

    home = officer_client.get(reverse("core:home")).content.decode()
    assert home.count('data-overdue="1"') == 1 and home.count('data-overdue="0"') == 1


def test_the_daily_digest_counts_the_teams_overdue_measures(officer, supervisor,
                                                            supervisor_b):
    _approved(officer, supervisor, "recall", due_on=datetime.date(2026, 1, 10))
    item = _approved(officer, supervisor, "more_security", due_on=datetime.date(2026, 2, 1))
    services.follow_up_done(item=item, acting_user=officer, outcome="已追加担保")
    # Awaiting its sign-off past the due date, it is still overdue.
    Notification.objects.all().delete()
    today = timezone.localdate()

    assert overdue_digest_send(today=today) == 1
    assert overdue_digest_send(today=today) == 0
    line = Notification.objects.get(kind="reports.overdue_measures")
    assert line.recipient == supervisor and line.params == {"n": 2}
    assert not Notification.objects.filter(recipient=supervisor_b).exists()


def test_the_admin_flags_a_measure_for_sign_off_on_its_page(admin_client_):
    item = measure("restructure")
    assert not item.needs_sign_off
    url = reverse("reports:measure_edit", kwargs={"pk": item.pk})
    assert 'name="needs_sign_off"' in admin_client_.get(url).content.decode()
    admin_client_.post(url, {"code": item.code, "name_zh": item.name_zh,
                             "name_en": item.name_en, "order": item.order, "active": "on",
                             "needs_sign_off": "on"})
    item.refresh_from_db()
    assert item.needs_sign_off


def test_the_approved_report_lists_its_measures_with_their_status(officer, officer_client,
                                                                 supervisor):
    item = _approved(officer, supervisor, "recall")
    services.follow_up_done(item=item, acting_user=officer, outcome="贷款已提前收回")
    page = officer_client.get(reverse("reports:report_detail", kwargs={"pk": item.report_id}))
    html = page.content.decode()
    section = html[html.index('id="follow-up-items"'):]
    assert reverse("reports:follow_up_sign_off", kwargs={"pk": item.pk}) in section
    assert str(FollowUp.Status.AWAITING_SIGN_OFF.label) in section or "待主管确认" in section


def test_the_home_cards_cost_the_same_queries_however_many_measures(officer, officer_client,
                                                                   supervisor,
                                                                   supervisor_client):
    _approved(officer, supervisor, "recall", due_on=datetime.date(2026, 1, 10))
    small = (_queries(officer_client), _queries(supervisor_client))
    for day in range(2, 9):
        _approved(officer, supervisor, "more_visits", due_on=datetime.date(2026, 2, day))
    assert (_queries(officer_client), _queries(supervisor_client)) == small
    assert small == (QUERIES["officer_client"], QUERIES["supervisor_client"])


def test_with_no_other_supervisor_in_the_team_the_admins_are_asked(officer, supervisor,
                                                                    admin_user):
    item = _approved(officer, supervisor, "recall")
    services.follow_up_done(item=item, acting_user=supervisor, outcome="贷款已提前收回")
    asked = set(Notification.objects.filter(kind="reports.follow_up_sign_off")
                .values_list("recipient", flat=True))
    assert asked == {admin_user.pk}
