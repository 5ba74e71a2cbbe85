"""Hostile answers on the check form and in the data feed: refused with nothing written, or
saved exactly — never a server error."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from customers.imports import ImportRejected
from customers.records import imports
from customers.records.models import RecordCheck, RecordEntry
from tests.hostile import HOSTILE_DATE, HOSTILE_NUMBER, HOSTILE_TEXT, HYPOTHESIS

from .helpers import company_with_controller

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(officer):
    customer, _person = company_with_controller(officer)
    client = Client()
    client.force_login(officer)
    return client, customer


@HYPOTHESIS
@given(case=HOSTILE_TEXT, court=HOSTILE_TEXT, amount=HOSTILE_NUMBER, filed=HOSTILE_DATE,
       year=HOSTILE_NUMBER, on=HOSTILE_DATE)
def test_the_check_form_never_fails(owned, case, court, amount, filed, year, on):
    client, customer = owned
    before = RecordCheck.objects.count()
    response = client.post(reverse("records:check_create", args=[customer.pk]), {
        "subject": f"c{customer.pk}", "checked_on": on, "licence_status": "in_business",
        "annual_report_year": year, "entries-TOTAL_FORMS": "1", "entries-INITIAL_FORMS": "0",
        "entries-0-kind": "enforcement", "entries-0-case_number": case, "entries-0-court": court,
        "entries-0-amount": amount, "entries-0-filed_on": filed})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        entry = RecordEntry.objects.get(record_check__pk=RecordCheck.objects.latest("pk").pk)
        assert entry.case_number == case.strip() and entry.court == court.strip()
    else:
        assert RecordCheck.objects.count() == before


@HYPOTHESIS
@given(values=st.fixed_dictionaries({
    "checked_on": HOSTILE_DATE, "licence_status": HOSTILE_TEXT,
    "annual_report_year": HOSTILE_NUMBER, "abnormal_listed": HOSTILE_TEXT}),
    entry=st.fixed_dictionaries({"kind": HOSTILE_TEXT, "case_number": HOSTILE_TEXT,
                                 "court": HOSTILE_TEXT, "amount": HOSTILE_NUMBER,
                                 "filed_on": HOSTILE_DATE, "closed": HOSTILE_TEXT}))
def test_the_json_feed_never_fails(owned, officer, values, entry):
    _client, customer = owned
    before = RecordCheck.objects.count()
    feed = {"checks": [{"customer": customer.identifier, **values, "entries": [entry]}]}
    upload = SimpleUploadedFile("feed.json", json.dumps(feed).encode())
    try:
        imports.import_feed(rows=imports.read_feed(upload), acting_user=officer)
    except ImportRejected as rejected:
        assert rejected.problems
        assert RecordCheck.objects.count() == before


@HYPOTHESIS
@given(rep=HOSTILE_TEXT, capital=HOSTILE_NUMBER, address=HOSTILE_TEXT, scope=HOSTILE_TEXT,
       holders=HOSTILE_TEXT, cause=HOSTILE_TEXT, stage=HOSTILE_TEXT, kind=st.sampled_from(
           ["lawsuit", "equity_freeze", "asset_freeze", "penalty", "tax_arrears", "bogus"]))
def test_the_registration_and_the_newer_records_on_the_form_never_fail(
        owned, rep, capital, address, scope, holders, cause, stage, kind):
    client, customer = owned
    before = RecordCheck.objects.count()
    response = client.post(reverse("records:check_create", args=[customer.pk]), {
        "subject": f"c{customer.pk}", "checked_on": "2026-01-02", "tax_abnormal": "on",
        "legal_representative": rep, "registered_capital": capital,
        "registered_address": address, "business_scope": scope, "shareholders": holders,
        "entries-TOTAL_FORMS": "1", "entries-INITIAL_FORMS": "0", "entries-0-kind": kind,
        "entries-0-case_number": "N-1", "entries-0-cause": cause, "entries-0-stage": stage})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert RecordCheck.objects.count() == before
    else:
        check = RecordCheck.objects.latest("pk")
        assert check.tax_abnormal and check.legal_representative == rep.strip()
        # A row equal to the previous check's carried-over record is left as it was.
        assert all(e.cause == cause.strip() for e in check.entries.all())


@HYPOTHESIS
@given(values=st.fixed_dictionaries({
    "checked_on": HOSTILE_DATE, "tax_abnormal": HOSTILE_TEXT,
    "legal_representative": HOSTILE_TEXT, "registered_capital": HOSTILE_NUMBER,
    "registered_address": HOSTILE_TEXT, "business_scope": HOSTILE_TEXT,
    "shareholders": st.one_of(HOSTILE_TEXT, st.lists(HOSTILE_TEXT, max_size=3))}),
    entry=st.fixed_dictionaries({"kind": st.sampled_from(
        ["被告诉讼", "股权冻结", "资产冻结", "行政处罚", "欠税", "lawsuit"]),
        "case_number": HOSTILE_TEXT, "cause": HOSTILE_TEXT, "stage": HOSTILE_TEXT,
        "amount": HOSTILE_NUMBER}))
def test_the_json_feed_with_the_newer_kinds_never_fails(owned, officer, values, entry):
    _client, customer = owned
    before = RecordCheck.objects.count()
    feed = {"checks": [{"customer": customer.identifier, **values, "entries": [entry]}]}
    upload = SimpleUploadedFile("feed.json", json.dumps(feed).encode())
    try:
        imports.import_feed(rows=imports.read_feed(upload), acting_user=officer)
    except ImportRejected as rejected:
        assert rejected.problems
        assert RecordCheck.objects.count() == before
