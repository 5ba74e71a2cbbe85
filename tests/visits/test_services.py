"""Derived figures, the individual variant, draft → submit → lock → amendment, uploads."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from customers.models import CollateralValuation
from tests.customers.factories import CollateralFactory, CustomerFactory, IndividualFactory
from visits import rules, services
from visits.models import EvidenceFile, QuestionGuidance, Visit, VisitCollateral
from visits.schedule.models import RevisitTask
from visits.schedule.services import task_raise
from visits.selectors import previous_visit

from .factories import VisitFactory, ready_visit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- Derived figures ----------------------------------------------------------------------------

def test_debt_ratio():
    visit = Visit(total_assets=Decimal("8000000"), total_liabilities=Decimal("5000000"))
    assert rules.debt_ratio(visit) == Decimal("62.5")
    assert rules.debt_ratio(Visit(total_assets=Decimal("0"), total_liabilities=Decimal("1"))) \
        is None
    assert rules.debt_ratio(Visit(total_assets=Decimal("1"))) is None


def test_annualised_revenue_counts_the_days_elapsed():
    # 31 March of a common year is day 90: 900,000 in 90 days is 3,650,000 a year.
    visit = Visit(visited_on=date(2025, 3, 31), revenue_ytd=Decimal("900000"))
    assert rules.annualised_revenue(visit) == Decimal("3650000.00")
    # In a leap year the year has 366 days (31 March is day 91).
    leap = Visit(visited_on=date(2024, 3, 31), revenue_ytd=Decimal("910000"))
    assert rules.annualised_revenue(leap) == Decimal("3660000.00")
    assert rules.annualised_revenue(Visit(visited_on=date(2025, 3, 31))) is None


def test_receivable_days():
    visit = Visit(visited_on=date(2025, 3, 31), revenue_ytd=Decimal("900000"),
                  receivables=Decimal("1000000"))
    # 1,000,000 of 3,650,000 a year is 100 days of revenue.
    assert rules.receivable_days(visit) == Decimal("100")


def test_comparison_gives_change_and_direction():
    before = Visit(visited_on=date(2025, 6, 30), employees_total=50,
                   gross_margin_pct=Decimal("25"), liquid_funds=Decimal("100"))
    now = Visit(visited_on=date(2025, 12, 31), employees_total=40,
                gross_margin_pct=Decimal("27.5"), liquid_funds=Decimal("100"))
    changes = {c.name: c for c in rules.comparison(now, before)}
    assert (changes["employees_total"].delta, changes["employees_total"].direction) == (
        Decimal("-20.0"), "down")
    assert (changes["gross_margin_pct"].delta, changes["gross_margin_pct"].unit,
            changes["gross_margin_pct"].direction) == (Decimal("2.5"), "pt", "up")
    assert changes["liquid_funds"].direction == "same"
    first = {c.name: c for c in rules.comparison(now, None)}
    assert first["employees_total"].before is None and first["employees_total"].delta is None


# --- The individual variant ---------------------------------------------------------------------

def test_individual_customers_answer_in_a_persons_terms(officer):
    assert "employees_total" not in services.checklist_fields(kind="individual")
    assert "inventory" not in services.checklist_fields(kind="individual")
    assert {"monthly_income", "income_stable", "household_assets"} <= set(
        services.checklist_fields(kind="individual"))
    assert "monthly_income" not in services.checklist_fields(kind="corporate")
    person = IndividualFactory(officer=officer)
    visit = VisitFactory(customer=person)
    # A corporate-only answer sent for an individual is not stored.
    services.visit_save(visit=visit, acting_user=officer,
                        data={"employees_total": 12, "monthly_income": Decimal("30000")})
    visit.refresh_from_db()
    assert visit.employees_total is None and visit.monthly_income == Decimal("30000.00")
    with pytest.raises(ValidationError) as caught:
        services.visit_submit(visit=visit, acting_user=officer)
    assert "household_assets" in caught.value.message_dict
    assert "employees_total" not in caught.value.message_dict
    services.visit_submit(visit=ready_visit(customer=person), acting_user=officer)


# --- Draft, submit, lock, amend -----------------------------------------------------------------

def test_a_half_filled_draft_saves(officer):
    visit = VisitFactory(customer=CustomerFactory(officer=officer))
    services.visit_save(visit=visit, acting_user=officer, data={"employees_total": 30})
    visit.refresh_from_db()
    assert visit.status == "draft" and visit.employees_total == 30 and visit.version == 1


@pytest.mark.parametrize("field", ["liquid_funds", "monthly_rent", "office_area_m2",
                                   "total_liabilities"])
def test_a_negative_amount_or_area_is_refused_and_nothing_saved(officer, field):
    visit = VisitFactory(customer=CustomerFactory(officer=officer))
    with pytest.raises(ValidationError) as caught:
        services.visit_save(visit=visit, acting_user=officer,
                            data={"employees_total": 30, field: Decimal("-1")})
    assert list(caught.value.message_dict) == [field]
    visit.refresh_from_db()
    assert visit.employees_total is None and visit.version == 0


def test_submit_validates_everything_and_keeps_the_draft(officer):
    visit = VisitFactory(customer=CustomerFactory(officer=officer))
    services.visit_save(visit=visit, acting_user=officer,
                        data={"employees_total": 30, "address_changed": True})
    with pytest.raises(ValidationError) as caught:
        services.visit_submit(visit=visit, acting_user=officer)
    problems = caught.value.message_dict
    assert {"new_address", "revenue_ytd", "loan_use", "__all__"} <= set(problems)
    visit.refresh_from_db()
    assert visit.status == "draft" and visit.employees_total == 30


def test_submit_locks_records_who_when_and_closes_the_task(officer):
    customer = CustomerFactory(officer=officer)
    task, _ = task_raise(customer=customer, reason="manual", due_on=date(2026, 7, 31))
    item = CollateralFactory(customer=customer)
    visit = ready_visit(customer=customer, task=task)
    VisitCollateral.objects.create(visit=visit, collateral=item, current_value=Decimal("1900000"))
    services.visit_submit(visit=visit, acting_user=officer)
    visit.refresh_from_db()
    assert visit.status == "submitted" and visit.submitted_by == officer
    assert visit.submitted_at is not None
    task.refresh_from_db()
    assert task.status == RevisitTask.Status.DONE
    valuation = CollateralValuation.objects.get(collateral=item)
    assert (valuation.value, valuation.source, valuation.valued_on) == (
        Decimal("1900000.00"), "visit", visit.visited_on)
    with pytest.raises(ValidationError, match="locked"):
        services.visit_save(visit=visit, acting_user=officer, data={"employees_total": 1})
    with pytest.raises(ValidationError, match="locked"):
        services.visit_submit(visit=visit, acting_user=officer)


def test_only_the_visiting_officer_edits_a_draft(officer, supervisor):
    visit = VisitFactory(customer=CustomerFactory(officer=officer))
    with pytest.raises(PermissionDenied):
        services.visit_save(visit=visit, acting_user=supervisor, data={"employees_total": 3})


def test_a_stale_form_is_a_conflict(officer):
    visit = VisitFactory(customer=CustomerFactory(officer=officer))
    services.visit_save(visit=visit, acting_user=officer, data={"place": "a"},
                        expected_version=0)
    with pytest.raises(ValidationError, match="Someone else"):
        services.visit_save(visit=visit, acting_user=officer, data={"place": "b"},
                            expected_version=0)


def test_amendment_keeps_the_original(officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    visit = ready_visit(customer=CustomerFactory(officer=officer), employees_total=50)
    services.evidence_add(visit=visit, acting_user=officer, kind="licence",
                          upload=SimpleUploadedFile("licence.pdf", b"%PDF-1.7\n..."))
    services.visit_submit(visit=visit, acting_user=officer)
    amendment = services.visit_amend(visit=visit, acting_user=officer)
    assert services.visit_amend(visit=visit, acting_user=officer) == amendment  # not doubled
    assert (amendment.status, amendment.amends, amendment.employees_total) == (
        "draft", visit, 50)
    assert amendment.interviews.count() == 1 and amendment.evidence.count() == 1
    services.visit_save(visit=amendment, acting_user=officer, data={"employees_total": 48})
    services.visit_submit(visit=amendment, acting_user=officer)
    visit.refresh_from_db()
    assert visit.employees_total == 50 and visit.status == "submitted"
    assert Visit.objects.get(pk=amendment.pk).employees_total == 48
    # The shared file is no reuse, and the original's file stays readable.
    assert rules.reused_files(visit=amendment) == []
    assert visit.evidence.get().file.read().startswith(b"%PDF")


def test_a_draft_is_not_amended(officer):
    visit = VisitFactory(customer=CustomerFactory(officer=officer))
    with pytest.raises(ValidationError):
        services.visit_amend(visit=visit, acting_user=officer)


def test_previous_visit_skips_drafts_and_superseded_visits(officer):
    customer = CustomerFactory(officer=officer)
    first = ready_visit(customer=customer, visited_on=date(2025, 3, 1))
    services.visit_submit(visit=first, acting_user=officer)
    VisitFactory(customer=customer, visited_on=date(2025, 4, 1))  # a draft
    second = ready_visit(customer=customer, visited_on=date(2025, 5, 1))
    assert previous_visit(visit=second) == first
    services.visit_submit(visit=second, acting_user=officer)
    correction = services.visit_amend(visit=second, acting_user=officer)
    assert previous_visit(visit=correction) == first
    services.visit_submit(visit=correction, acting_user=officer)
    later = ready_visit(customer=customer, visited_on=date(2025, 6, 1))
    assert previous_visit(visit=later) == correction


# --- Uploads -----------------------------------------------------------------------------------

@pytest.fixture
def draft(officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EVIDENCE_MAX_BYTES = 1024
    return VisitFactory(customer=CustomerFactory(officer=officer))


def _stored(tmp_path) -> list:
    return [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("statement.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 50, "not a PDF, JPEG, PNG"),
    ("photo.png", b"<!DOCTYPE html><html><script>alert(1)</script></html>",
     "not a PDF, JPEG, PNG"),
    ("big.pdf", b"%PDF-1.7\n" + b"0" * 2000, "at most"),
    ("../../etc/passwd.pdf", b"%PDF-1.7\n", "may not contain folders"),
    ("..\\..\\boot.pdf", b"%PDF-1.7\n", "may not contain folders"),
    ("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "rename it to end in .png"),
    ("empty.pdf", b"", "is empty"),
], ids=["renamed executable", "HTML claiming PNG", "oversize", "path traversal",
        "windows traversal", "name and content disagree", "empty"])
def test_hostile_uploads_are_refused_and_nothing_is_stored(draft, tmp_path, name, content,
                                                          message):
    with pytest.raises(ValidationError, match=message):
        services.evidence_add(visit=draft, acting_user=draft.officer, kind="other",
                              upload=SimpleUploadedFile("x", content), name=name)
    assert EvidenceFile.objects.count() == 0
    assert _stored(tmp_path) == []


def test_accepted_files_are_stored_under_random_names_with_their_hash(draft, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    for name, content, kind in [("流水.pdf", b"%PDF-1.4\n%", "application/pdf"),
                                ("门头.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 10, "image/jpeg"),
                                ("账.xlsx", buffer.getvalue(),
                                 "application/vnd.openxmlformats-officedocument.spreadsheetml"
                                 ".sheet")]:
        evidence = services.evidence_add(visit=draft, acting_user=draft.officer,
                                         kind="bank_statement",
                                         upload=SimpleUploadedFile(name, content))
        assert evidence.original_name == name and evidence.content_type == kind
        assert evidence.sha256 == hashlib.sha256(content).hexdigest()
        assert name not in evidence.file.name and evidence.file.name.startswith("evidence/")
    assert len(_stored(tmp_path)) == 3


def test_files_are_added_only_to_ones_own_draft(draft, supervisor):
    with pytest.raises(PermissionDenied):
        services.evidence_add(visit=draft, acting_user=supervisor, kind="other",
                              upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4"))


# --- Guidance and preferences ---------------------------------------------------------------

def test_a_proposal_accepted_replaces_the_guidance(officer, admin_user):
    proposal = services.proposal_create(acting_user=officer, question=3, language="en",
                                        text="Ask to see the receivables ledger.")
    services.proposal_decide(proposal=proposal, acting_user=admin_user, accept=True)
    guidance = QuestionGuidance.objects.get(question=3, customer_kind="corporate")
    assert guidance.how_en == "Ask to see the receivables ledger."
    with pytest.raises(ValidationError):
        services.proposal_decide(proposal=proposal, acting_user=admin_user, accept=False)
    declined = services.proposal_create(acting_user=officer, question=3, language="zh",
                                        text="直接问应收账款")
    services.proposal_decide(proposal=declined, acting_user=admin_user, accept=False)
    guidance = QuestionGuidance.objects.get(question=3, customer_kind="corporate")
    assert guidance.how_zh != "直接问应收账款"
