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
