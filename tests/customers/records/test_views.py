"""Record-check pages: the hand-entry form, the customer sheet, history, import, due list,
policy, scope and query counts."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from customers.records import services
from customers.records.models import RecordCheck, RecordPolicy
from customers.records.providers import EntryData
from tests.customers.downloads import download
from tests.customers.factories import IndividualFactory, LoanFactory
from tests.forms_posted import posted
from tests.visits.test_views import LATIN_ALLOWED, _visible_text
from visits.schedule.models import RevisitTask

from .helpers import company_with_controller, reading, subject

pytestmark = pytest.mark.django_db


def _client(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def _entry_post(subject_key: str, on: date, entries: list[dict], **fields) -> dict:
    data = {"subject": subject_key, "checked_on": on.isoformat(),
            "licence_status": fields.get("licence_status", "in_business"),
            "annual_report_year": fields.get("annual_report_year", "2025"),
            "entries-TOTAL_FORMS": str(len(entries) + 1), "entries-INITIAL_FORMS": "0",
            "entries-MIN_NUM_FORMS": "0", "entries-MAX_NUM_FORMS": "1000"}
    for i, entry in enumerate(entries):
        data.update({f"entries-{i}-{k}": v for k, v in entry.items()})
    # The spare row as a browser sends it: the type select always has a value.
    data[f"entries-{len(entries)}-kind"] = "enforcement"
    return data


def test_officer_enters_a_check_and_the_sheet_shows_the_new_case_in_red(officer):
    customer, _person = company_with_controller(officer)
    services.check_record(subject=subject(customer), data=reading(date(2026, 9, 1)),
                          source="manual", acting_user=officer)
    client = _client(officer)
    url = reverse("records:check_create", args=[customer.pk])
    form = client.get(url).content.decode()
    assert 'id="previous-check"' in form and "2025" in form
    response = client.post(url, _entry_post(f"c{customer.pk}", timezone.localdate(), [
        {"kind": "enforcement", "case_number": "（2026）京0108执77号", "court": "海淀法院",
         "amount": "88000.00"}]))
    check = RecordCheck.objects.get(customer=customer, checked_on=timezone.localdate())
    assert response.status_code == 302 and response.url == reverse("records:check_detail",
                                                                    args=[check.pk])
    assert RevisitTask.objects.filter(customer=customer, reason="record_finding").count() == 1
    sheet = client.get(reverse("customers:customer_detail", args=[customer.pk])).content.decode()
    section = sheet[sheet.index('id="record-checks"'):]
    assert 'class="text-danger"' in section and "（2026）京0108执77号" in section
    assert reverse("records:customer_checks", args=[customer.pk]) in section


def test_the_form_carries_the_previous_open_cases_and_rejects_bad_input(officer):
    customer, person = company_with_controller(officer)
    services.check_record(subject=subject(customer, person),
                          data=reading(date(2026, 9, 1), "P-1", licence_status="",
                                       annual_report_year=None),
                          source="manual", acting_user=officer)
    client = _client(officer)
    url = reverse("records:check_create", args=[customer.pk])
    page = client.get(url, {"subject": f"p{person.pk}"}).content.decode()
    assert 'value="P-1"' in page and "id_licence_status" not in page  # a person: no licence
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(url, _entry_post(f"p{person.pk}", tomorrow, [
        {"kind": "enforcement", "case_number": "X", "amount": "-5"}]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "A check cannot be dated in the future." in body
    assert RecordCheck.objects.count() == 1
    assert client.get(url, {"subject": "p999999"}).status_code == 404


def test_history_and_detail_pages(officer):
    customer, _person = company_with_controller(officer)
    for month in (8, 9):
        services.check_record(subject=subject(customer),
                              data=reading(date(2026, month, 1), *(["H-1"] if month == 9
                                                                   else [])),
                              source="manual", acting_user=officer)
    client = _client(officer)
    history = client.get(reverse("records:customer_checks", args=[customer.pk])).content.decode()
    assert history.count("records/checks/") == 2
    latest = RecordCheck.objects.order_by("-checked_on").first()
    detail = client.get(reverse("records:check_detail", args=[latest.pk])).content.decode()
    assert "H-1" in detail and 'id="history"' in detail and "text-danger" in detail


def test_another_teams_officer_finds_nothing(officer, officer_b):
    customer, _person = company_with_controller(officer)
    check = services.check_record(subject=subject(customer), data=reading(date(2026, 9, 1)),
                                  source="manual", acting_user=officer)
    client = _client(officer_b)
    for url in (reverse("records:check_detail", args=[check.pk]),
                reverse("records:customer_checks", args=[customer.pk]),
                reverse("records:check_create", args=[customer.pk])):
        assert client.get(url).status_code == 404
    assert client.post(reverse("records:check_create", args=[customer.pk]),
                       _entry_post(f"c{customer.pk}", date(2026, 10, 1), [])).status_code == 404
    assert RecordCheck.objects.count() == 1
    due = client.get(reverse("records:due_list")).content.decode()
    assert customer.name not in due


def test_import_through_the_page_and_outside_scope(officer, officer_b):
    customer, _person = company_with_controller(officer)
    feed = ("customer,checked_on,licence_status,entry_kind,case_number\n"
            f"{customer.identifier},2026-10-01,存续,被执行人,W-1\n").encode()
    outsider = _client(officer_b)
    url = reverse("records:feed_import")
    response = outsider.post(url, {"file": SimpleUploadedFile("f.csv", feed)})
    assert 'id="import-problems"' in response.content.decode()
    assert "No customer with this identifier" in response.content.decode()
    client = _client(officer)
    preview = client.post(url, {"file": SimpleUploadedFile("f.csv", feed)}).content.decode()
    assert 'id="import-preview"' in preview and not RecordCheck.objects.exists()
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert set(RecordCheck.objects.get().findings.values_list("kind", flat=True)) == {
        "new_case", "annual_report_missing"}  # no year in the file: none filed for 2025
    template = client.get(reverse("records:feed_template"))
    assert template["Content-Type"].startswith("text/csv")


def test_only_an_admin_sets_the_policy_and_it_moves_the_due_date(officer, supervisor,
                                                                 admin_user):
    customer, _person = company_with_controller(officer)
    services.check_record(subject=subject(customer),
                          data=reading(timezone.localdate() - timedelta(days=20)),
                          source="manual", acting_user=officer)
    url = reverse("records:policy_edit")
    assert _client(supervisor).post(url, {"interval_days": "7",
                                          "task_due_days": "3"}).status_code == 403
    due = _client(officer).get(reverse("records:due_list")).content.decode()
    assert due.count(f"?subject=c{customer.pk}") == 0  # checked 20 days ago, monthly
    assert _client(admin_user).post(url, {"interval_days": "14", "task_due_days": "3",
                                          "lawsuit_serious_amount": "1000000",
                                          "penalty_serious_amount": "100000",
                                          "tax_serious_amount": "100000"}).status_code == 302
    assert RecordPolicy.current().interval_days == 14
    due = _client(officer).get(reverse("records:due_list")).content.decode()
    assert due.count(f"?subject=c{customer.pk}") == 1


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["due", "history", "sheet"])
def test_pages_keep_their_query_count(officer, django_assert_num_queries, page):
    client = _client(officer)
    counts = []
    anchor, _person = company_with_controller(officer, n=90)
    urls = {"due": reverse("records:due_list"),
            "history": reverse("records:customer_checks", args=[anchor.pk]),
            "sheet": reverse("customers:customer_detail", args=[anchor.pk])}
    for size in (2, 8):
        while RecordCheck.objects.filter(customer=anchor).count() < size:
            n = RecordCheck.objects.count()
            customer, person = company_with_controller(officer, n=n + 1)
            services.check_record(subject=subject(anchor, None if n % 2 else _person),
                                  data=reading(date(2026, 1, 1) + timedelta(days=n),
                                               *(f"Q-{n}-{i}" for i in range(n % 3))),
                                  source="manual", acting_user=officer)
        counts.append(_count(client, urls[page]))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[0]):
        client.get(urls[page])


def test_every_record_page_is_all_chinese(officer, admin_user):
    customer, person = company_with_controller(officer)
    for on, cases in ((date(2026, 6, 1), ()), (date(2026, 10, 1), ("K-1",))):
        check = services.check_record(subject=subject(customer), data=reading(on, *cases),
                                      source="feed", acting_user=officer)
    officer_client = _client(officer, "zh-hans")
    pages = [(officer_client, reverse(name, args=args)) for name, args in (
        ("records:check_create", [customer.pk]), ("records:customer_checks", [customer.pk]),
        ("records:check_detail", [check.pk]), ("records:due_list", []),
        ("records:feed_import", []), ("customers:customer_detail", [customer.pk]))]
    pages.append((_client(admin_user, "zh-hans"), reverse("records:policy_edit")))
    allowed = LATIN_ALLOWED | {"CSV", "csv", "json", "jsonl", "xlsx", "Excel", officer.username,
                               admin_user.username, officer.full_name}
    # A unified social credit code carries letters (e.g. "AJY"); it is data, not interface.
    allowed |= set(re.findall(r"[A-Za-z]+", customer.identifier))
    for client, url in pages:
        text = _visible_text(client.get(url).content.decode())
        words = set(re.findall(r"[A-Za-z][A-Za-z_-]{2,}", text)) - allowed
        assert not words, (url, sorted(words))
    assert "新增被执行案件 K-1" in _visible_text(officer_client.get(
        reverse("customers:customer_detail", args=[customer.pk])).content.decode())


def test_the_ledger_and_the_workbook_carry_the_checks(officer):
    customer, _person = company_with_controller(officer)
    LoanFactory(customer=customer)
    services.check_record(subject=subject(customer), data=reading(date(2026, 10, 1), "L-1"),
                          source="manual", acting_user=officer)
    client = _client(officer)
    ledger = load_workbook(BytesIO(download(client, reverse("customers:ledger_export"))))
    header, row = list(ledger.active.iter_rows(values_only=True))[:2]
    assert row[header.index("last record check")].date() == date(2026, 10, 1)
    book = load_workbook(BytesIO(client.get(
        reverse("customers:customer_sheet_export", args=[customer.pk])).content))
    rows = list(book["Record checks"].iter_rows(values_only=True))
    assert rows[0] == ("checked on", "subject", "source", "findings")
    assert rows[1][1] == customer.name and "New enforcement case L-1" in rows[1][3]


def test_an_individual_customer_is_checked_without_licence_or_annual_report(officer):
    person = IndividualFactory(officer=officer)
    client = _client(officer)
    url = reverse("records:check_create", args=[person.pk])
    page = client.get(url).content.decode()
    assert "id_licence_status" not in page and "id_annual_report_year" not in page
    response = client.post(url, _entry_post(f"c{person.pk}", date(2026, 10, 1), [
        {"kind": "restriction", "case_number": "XG-1"}]))
    assert response.status_code == 302
    check = RecordCheck.objects.get(customer=person)
    assert (check.licence_status, check.annual_report_year) == ("", None)
    assert [f.kind for f in check.findings.all()] == ["new_restriction"]


def test_open_cases_carried_into_the_form_and_left_as_they_are_stay_open(officer):
    """The officer opens the form, changes nothing in the carried rows and saves: every open
    case, lawsuit and freeze is still open in the new check, and nothing is reported ended."""
    customer, _person = company_with_controller(officer)
    earlier = timezone.localdate() - timedelta(days=60)
    services.check_record(subject=subject(customer), source="manual", acting_user=officer,
                          data=replace(reading(earlier), entries=(
                                  EntryData(kind="enforcement", case_number="（2026）京0108执77号",
                                            court="海淀法院", amount=Decimal("88000")),
                                  EntryData(kind="lawsuit", case_number="（2026）京0105民初12号",
                                            court="朝阳法院", amount=Decimal("150000.50"),
                                            cause="买卖合同纠纷", stage="hearing",
                                            filed_on=date(2026, 8, 3)),
                                  EntryData(kind="asset_freeze", case_number="冻字第9号",
                                            cause="银行账户", amount=Decimal("30000")),
                                  EntryData(kind="enforcement", case_number="旧案1号",
                                            closed=True))))
    client = _client(officer)
    url = reverse("records:check_create", args=[customer.pk])
    page = client.get(url).content.decode()
    data = posted(page[page.index('<form method="post"'):])
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    check = RecordCheck.objects.filter(customer=customer).order_by("-pk").first()
    assert check.checked_on == timezone.localdate()
    kept = {(e.kind, e.case_number): e for e in check.entries.all()}
    assert set(kept) == {("enforcement", "（2026）京0108执77号"),
                         ("lawsuit", "（2026）京0105民初12号"), ("asset_freeze", "冻字第9号")}
    assert not any(e.closed for e in kept.values())
    lawsuit = kept[("lawsuit", "（2026）京0105民初12号")]
    assert (lawsuit.amount, lawsuit.stage, lawsuit.cause, lawsuit.filed_on) == (
        Decimal("150000.50"), "hearing", "买卖合同纠纷", date(2026, 8, 3))
    assert list(check.findings.all()) == []  # nothing new, nothing ended
