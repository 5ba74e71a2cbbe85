"""Hostile input on the visit form: a clear refusal or an exact save, never a 500 or half a
save."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.customers.factories import CustomerFactory
from tests.hostile import HOSTILE_DATE, HOSTILE_NUMBER, HOSTILE_TEXT, HYPOTHESIS
from visits.models import Visit

from .factories import VisitFactory


@pytest.mark.django_db
@HYPOTHESIS
@given(employees=HOSTILE_NUMBER, money=HOSTILE_NUMBER, margin=HOSTILE_NUMBER,
       visited_on=HOSTILE_DATE, text=HOSTILE_TEXT, boolean=st.sampled_from(
           ["true", "false", "unknown", "", "yes", "1", "<b>"]),
       pressure=st.sampled_from(["low", "high", "", "extreme", "HIGH"]))
def test_hostile_answers_are_refused_or_saved_exactly(officer_client, officer, employees, money,
                                                      margin, visited_on, text, boolean,
                                                      pressure):
    visit = VisitFactory(customer=CustomerFactory(officer=officer))
    data = {"version": str(visit.version), "visited_on": visited_on, "method": "on_site",
            "employees_total": employees, "liquid_funds": money, "gross_margin_pct": margin,
            "other_sites": text, "wages_on_time": boolean, "repayment_pressure": pressure,
            "action": "save", "iv-TOTAL_FORMS": "1", "iv-INITIAL_FORMS": "0",
            "iv-MIN_NUM_FORMS": "0", "iv-MAX_NUM_FORMS": "1000"}
    response = officer_client.post(reverse("visits:visit_edit", args=[visit.pk]), data)
    assert response.status_code in (302, 400)
    saved = Visit.objects.get(pk=visit.pk)
    if response.status_code == 400:
        assert saved.version == visit.version  # nothing written
    else:
        assert saved.version == visit.version + 1
        assert saved.visited_on.isoformat() == visited_on.strip()
        assert saved.repayment_pressure == pressure


@pytest.mark.django_db
@HYPOTHESIS
@given(employees=HOSTILE_NUMBER, money=HOSTILE_NUMBER, visited_on=HOSTILE_DATE,
       text=HOSTILE_TEXT, version=st.one_of(HOSTILE_NUMBER, st.sampled_from(["", "0", "1"])),
       topic=st.sampled_from(["2", "11", "-1", "x", ""]))
def test_hostile_autosaves_are_refused_or_saved_exactly(officer_client, officer, employees,
                                                        money, visited_on, text, version, topic):
    """The form's script posts whatever the page holds, and so can anyone: an answer (JSON)
    that names the problem, or an exact save — never a 500 or half a save."""
    visit = VisitFactory(customer=CustomerFactory(officer=officer))
    data = {"version": version, "visited_on": visited_on, "method": "on_site",
            "employees_total": employees, "liquid_funds": money, "other_sites": text,
            "iv-TOTAL_FORMS": "1", "iv-INITIAL_FORMS": "0", "iv-MIN_NUM_FORMS": "0",
            "iv-MAX_NUM_FORMS": "1000", "iv-0-role": "employee", "iv-0-name": text[:100],
            "iv-0-topics": topic}
    response = officer_client.post(reverse("visits:visit_autosave", args=[visit.pk]), data)
    assert response.status_code in (200, 400, 409)
    assert response["Content-Type"] == "application/json"
    saved = Visit.objects.get(pk=visit.pk)
    if response.status_code == 200:
        assert saved.version == response.json()["version"] == visit.version + 1
        assert saved.visited_on.isoformat() == visited_on.strip()
        assert saved.status == Visit.Status.DRAFT
    else:
        assert saved.version == visit.version  # nothing written
        assert not saved.interviews.exists()


@pytest.mark.django_db
@HYPOTHESIS
@given(text=HOSTILE_TEXT, contacted_on=HOSTILE_DATE,
       method=st.sampled_from(["phone", "social_media", "on_site", "", "<b>", "PHONE"]),
       severity=st.sampled_from(["", "warning", "serious", "fatal", "<x>"]),
       category=st.sampled_from(["", "operations", "people", "../../", "其他"]))
def test_hostile_quick_contacts_are_refused_or_saved_exactly(officer_client, officer, text,
                                                             contacted_on, method, severity,
                                                             category):
    customer = CustomerFactory(officer=officer)
    response = officer_client.post(reverse("visits:contact_log", args=[customer.pk]), {
        "method": method, "person": text, "learned": text, "contacted_on": contacted_on,
        "signal_severity": severity, "signal_category": category, "signal_text": text})
    assert response.status_code in (302, 400)
    contacts = Visit.objects.filter(customer=customer)
    if response.status_code == 400:
        assert not contacts.exists()  # nothing written
    else:
        contact = contacts.get()
        assert contact.is_locked and contact.learned == text.strip()
        assert contact.method == method
