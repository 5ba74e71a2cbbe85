"""Work in the field: quick contacts, the pre-visit briefing with items to answer, the use of
funds per loan, and the interview guidance of each customer kind."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.models import RiskSignal
from customers.records.models import Finding, RecordCheck
from reports.selectors import signals_for_report
from tests.customers.factories import CustomerFactory, IndividualFactory, LoanFactory
from visits import services
from visits.models import BriefingAnswer, QuestionGuidance, Visit, VisitLoanUse
from visits.schedule.models import RevisitPolicy, RevisitTask
from visits.schedule.planner import plan
from visits.schedule.services import task_raise, visit_submitted

from .factories import answer_briefing, ready_visit

pytestmark = pytest.mark.django_db


def _client(user, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def _borrower(officer, **kwargs):
    customer = CustomerFactory(officer=officer, **kwargs)
    LoanFactory(customer=customer)
    return customer


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Quick contacts -----------------------------------------------------------------------------

def test_a_quick_contact_is_saved_locked_and_says_it_does_not_count(officer):
    customer = _borrower(officer)
    plan()
    periodic = RevisitTask.objects.get(customer=customer, reason="periodic", status="open")
    client = _client(officer)
    response = client.post(reverse("visits:contact_log", args=[customer.pk]), {
        "method": "social_media", "person": "陈总（朋友圈）",
        "learned": "朋友圈发了新厂房开工的照片", "contacted_on": timezone.localdate().isoformat(),
        "photo": SimpleUploadedFile("moments.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)})
    assert response.status_code == 302
    contact = Visit.objects.get(customer=customer)
    assert contact.kind == Visit.Kind.CONTACT and contact.is_locked
    assert contact.evidence.count() == 1
    said = " ".join(_messages(response))
    assert "does not count as the revisit for" in said and customer.name in said
    assert "needs an on-site visit; the task stays open (due" in said
    periodic.refresh_from_db()
    assert periodic.status == "open"
    # In the customer's visit list and on its page, and never editable again.
    listing = client.get(reverse("visits:customer_visits", args=[customer.pk])).content.decode()
    assert "quick contact" in listing and "朋友圈发了新厂房开工的照片" in listing
    page = client.get(reverse("visits:visit_detail", args=[contact.pk])).content.decode()
    assert "log a new contact with the correction" in page
    assert "Amend" not in page
    with pytest.raises(ValidationError):
        services.visit_amend(visit=contact, acting_user=officer)
    assert client.get(reverse("visits:visit_edit", args=[contact.pk])).status_code == 302


def test_a_call_counts_where_the_policy_lets_remote_contacts_count(officer):
    customer = _borrower(officer)
    RevisitPolicy.objects.filter(risk_group=customer.risk_group,
                                 customer_kind=customer.kind).update(remote_counts=True)
    plan()
    before = RevisitTask.objects.get(customer=customer, reason="periodic", status="open")
    response = _client(officer).post(reverse("visits:contact_log", args=[customer.pk]), {
        "method": "phone", "person": "林芳", "learned": "回款正常",
        "contacted_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    assert "This counts as the revisit for" in " ".join(_messages(response))
    before.refresh_from_db()
    assert before.status == "done"
    after = RevisitTask.objects.get(customer=customer, reason="periodic", status="open")
    assert after.due_on > timezone.localdate()


def test_a_contact_needs_neither_checklist_nor_collateral_but_whom_and_what(officer):
    customer = _borrower(officer)
    with pytest.raises(ValidationError) as refused:
        services.contact_log(customer=customer, acting_user=officer,
                             contacted_on=timezone.localdate(), method="on_site", person=" ",
                             learned="")
    assert set(refused.value.message_dict) == {"method", "person", "learned"}
    visit, signal = services.contact_log(customer=customer, acting_user=officer,
                                         contacted_on=timezone.localdate(), method="phone",
                                         person="王会计", learned="应收账款回笼慢")
    assert visit.is_locked and signal is None


def test_a_hand_raised_signal_is_open_for_the_next_report(officer):
    customer = _borrower(officer)
    _visit, signal = services.contact_log(
        customer=customer, acting_user=officer, contacted_on=timezone.localdate(),
        method="third_party", person="隔壁建材店老板", learned="工地停工两个月",
        signal_severity="serious", signal_category="operations", signal_text="工地停工")
    assert signal is not None and signal.status == RiskSignal.Status.OPEN
    assert signal.message == "From a contact (operations): 工地停工"
    assert signal in signals_for_report(customer=customer)


def test_a_half_given_signal_is_refused_in_the_users_language(officer):
    customer = _borrower(officer)
    response = _client(officer, "zh-hans").post(
        reverse("visits:contact_log", args=[customer.pk]),
        {"method": "phone", "person": "林芳", "learned": "回款正常",
         "contacted_on": timezone.localdate().isoformat(), "signal_text": "有风险"})
    assert response.status_code == 400
    assert "请选择" in response.content.decode()
    assert not Visit.objects.filter(customer=customer).exists()


def test_only_the_customers_officer_logs_a_contact(officer, officer_b, supervisor):
    customer = _borrower(officer)
    url = reverse("visits:contact_log", args=[customer.pk])
    assert _client(officer_b).get(url).status_code == 404
    assert _client(supervisor).get(url).status_code == 403
    with pytest.raises(PermissionDenied):
        services.contact_log(customer=customer, acting_user=officer_b,
                             contacted_on=timezone.localdate(), method="phone", person="x",
                             learned="y")


# --- The briefing -------------------------------------------------------------------------------

def _briefed_customer(officer):
    """A customer with one item of each kind the visits app finds itself, plus a risk event's
    task and the last visit's signals."""
    customer = _borrower(officer)
    earlier = ready_visit(customer=customer, visited_on=datetime.date(2026, 1, 5),
                          total_liabilities=Decimal("19000000"), summary="担心应收账款回收")
    services.visit_submit(visit=earlier, acting_user=officer)
    check = RecordCheck.objects.create(customer=customer, checked_on=timezone.localdate(),
                                       checked_by=officer, source="manual")
    finding = Finding.objects.create(record_check=check, kind="annual_report_missing",
                                     params={"year": 2025})
    LoanFactory(customer=customer, days_past_due=12, contract_number="HT-LATE-1")
    event_task, _created = task_raise(customer=customer, reason="risk_event",
                                      due_on=timezone.localdate(), note="行业整顿",
                                      source_key="event:test")
    return customer, earlier, finding, event_task


def test_the_form_opens_with_what_to_bring_up_and_submit_waits_for_each_answer(officer):
    customer, _earlier, finding, event_task = _briefed_customer(officer)
    draft = ready_visit(customer=customer, visited_on=timezone.localdate(), briefed=False)
    client = _client(officer)
    page = client.get(reverse("visits:visit_edit", args=[draft.pk])).content.decode()
    assert "To bring up at this visit" in page and "Topics, not a script" in page
    for text in ("Annual report for 2025 not filed", "行业整顿", "HT-LATE-1: 12 days past due",
                 "担心应收账款回收", "The debt ratio is"):
        assert text in page, text
    with pytest.raises(ValidationError) as refused:
        services.visit_submit(visit=draft, acting_user=officer)
    keys = set(refused.value.message_dict)
    assert f"briefing:finding-{finding.pk}" in keys and f"briefing:task-{event_task.pk}" in keys
    # Not applicable needs a reason.
    BriefingAnswer.objects.create(visit=draft, source="finding", source_id=finding.pk,
                                  not_applicable=True)
    with pytest.raises(ValidationError) as refused:
        services.visit_submit(visit=draft, acting_user=officer)
    assert refused.value.message_dict[f"briefing:finding-{finding.pk}"] == [
        "Say why it does not apply."]
    answer_briefing(draft)
    services.visit_submit(visit=draft, acting_user=officer)
    event_task.refresh_from_db()
    assert event_task.status == "done" and event_task.closed_by_id == draft.pk


def test_an_unanswered_item_keeps_its_task_open(officer):
    customer = _borrower(officer)
    event_task, _created = task_raise(customer=customer, reason="risk_event",
                                      due_on=timezone.localdate(), source_key="event:a")
    visit = ready_visit(customer=customer, visited_on=timezone.localdate(), briefed=False)
    # Answered before a second event came: the second one's task is not answered by it.
    answer_briefing(visit)
    later, _created = task_raise(customer=customer, reason="risk_event",
                                 due_on=timezone.localdate(), source_key="event:b")
    Visit.objects.filter(pk=visit.pk).update(status="submitted", submitted_at=timezone.now(),
                                             submitted_by=officer)
    visit.refresh_from_db()
    closed = visit_submitted(visit=visit)
    assert event_task in closed and later not in closed
    later.refresh_from_db()
    assert later.status == "open"


def test_a_refused_submit_shows_the_item_and_keeps_the_draft(officer):
    customer, _earlier, finding, _event_task = _briefed_customer(officer)
    draft = ready_visit(customer=customer, visited_on=timezone.localdate(), briefed=False)
    client = _client(officer, "zh-hans")
    page = client.get(reverse("visits:visit_edit", args=[draft.pk]))
    data = {}
    for name in page.context["form"].fields:
        value = page.context["form"][name].value()
        if value is not None and name not in ("evidence_files",):
            data[name] = "true" if value is True else "false" if value is False else value
    data.update({"iv-TOTAL_FORMS": "1", "iv-INITIAL_FORMS": "1", "iv-MIN_NUM_FORMS": "0",
                 "iv-MAX_NUM_FORMS": "1000", "iv-0-role": "finance_head", "iv-0-name": "王会计",
                 "action": "submit", f"bf-finding-{finding.pk}-answer": "客户说已补报"})
    response = client.post(reverse("visits:visit_edit", args=[draft.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "请说明了解到的情况" in html
    draft.refresh_from_db()
    assert draft.status == "draft"
    kept = BriefingAnswer.objects.get(visit=draft, source="finding", source_id=finding.pk)
    assert kept.answer == "客户说已补报"


# --- Use of funds per loan ----------------------------------------------------------------------

def test_each_new_loan_is_answered_on_its_own_and_closes_its_own_first_check(officer):
    customer = CustomerFactory(officer=officer)
    today = timezone.localdate()
    first = LoanFactory(customer=customer, disbursed_on=today - datetime.timedelta(days=20))
    second = LoanFactory(customer=customer, disbursed_on=today - datetime.timedelta(days=10))
    plan()
    checks = {t.source_key: t for t in RevisitTask.objects.filter(customer=customer,
                                                                  reason="first_check")}
    assert set(checks) == {f"first_check:loan:{first.pk}", f"first_check:loan:{second.pk}"}
    visit = ready_visit(customer=customer, visited_on=today, briefed=False)
    VisitLoanUse.objects.create(visit=visit, loan=first, use="as_declared")
    with pytest.raises(ValidationError) as refused:
        services.visit_submit(visit=visit, acting_user=officer)
    assert list(refused.value.message_dict) == [f"loan_use:{second.pk}"]
    VisitLoanUse.objects.create(visit=visit, loan=second, use="diverted")
    with pytest.raises(ValidationError):
        services.visit_submit(visit=visit, acting_user=officer)  # where did the money go?
    VisitLoanUse.objects.filter(visit=visit, loan=second).update(note="还了别的借款")
    signals = services.visit_submit(visit=visit, acting_user=officer)
    assert "funds_diverted" in {s.rule for s in signals}
    assert set(RevisitTask.objects.filter(customer=customer, reason="first_check")
               .values_list("status", flat=True)) == {"done"}
    plan()  # the planner does not raise them again
    assert not RevisitTask.objects.filter(customer=customer, reason="first_check",
                                          status="open").exists()


def test_a_visit_answering_one_loan_leaves_the_others_first_check_open(officer):
    customer = CustomerFactory(officer=officer)
    today = timezone.localdate()
    old = LoanFactory(customer=customer, disbursed_on=today - datetime.timedelta(days=40))
    plan()
    earlier = ready_visit(customer=customer, visited_on=today - datetime.timedelta(days=30))
    services.visit_submit(visit=earlier, acting_user=officer)
    new = LoanFactory(customer=customer, disbursed_on=today - datetime.timedelta(days=5))
    plan()
    open_checks = RevisitTask.objects.filter(customer=customer, reason="first_check",
                                             status="open")
    assert [t.source_key for t in open_checks] == [f"first_check:loan:{new.pk}"]
    assert VisitLoanUse.objects.filter(visit=earlier, loan=old).exists()


# --- Guidance by customer kind ------------------------------------------------------------------

def test_individuals_get_their_own_guidance_and_titles(officer):
    company = ready_visit(customer=_borrower(officer), visited_on=timezone.localdate())
    person = IndividualFactory(officer=officer)
    LoanFactory(customer=person)
    individual = ready_visit(customer=person, visited_on=timezone.localdate())
    client = _client(officer, "zh-hans")
    company_page = client.get(reverse("visits:visit_edit", args=[company.pk])).content.decode()
    person_page = client.get(reverse("visits:visit_edit", args=[individual.pk])).content.decode()
    assert "请财务负责人带看账户" in company_page
    assert "请财务负责人带看账户" not in person_page
    assert QuestionGuidance.objects.get(question=3, customer_kind="individual").how_zh in \
        person_page
    en = _client(officer).get(reverse("visits:visit_edit", args=[individual.pk])).content.decode()
    assert "6. What the loan paid for" in en and "8. The mortgaged or pledged property" in en


def test_an_admin_edits_the_individuals_guidance_apart(admin_user):
    client = _client(admin_user)
    listing = client.get(reverse("visits:guidance_list")).content.decode()
    assert "For individuals" in listing and "For companies" in listing
    url = reverse("visits:guidance_edit", args=[4]) + "?kind=individual"
    response = client.post(url, {"how_zh": "问问单位效益", "how_en": "Ask about the employer",
                                 "whom_zh": "", "whom_en": ""})
    assert response.status_code == 302
    assert QuestionGuidance.objects.get(question=4, customer_kind="individual").how_zh == \
        "问问单位效益"
    assert QuestionGuidance.objects.get(question=4, customer_kind="corporate").how_zh != \
        "问问单位效益"
