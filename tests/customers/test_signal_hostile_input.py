"""Hostile input to the dismissal, the signal list's filters and the signal settings: a clear
error or a correct save, never a server error nor a dismissal without a reason."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from customers.models import RiskSignal, SignalSettings
from tests.hostile import HOSTILE_NUMBER, HOSTILE_TEXT, HYPOTHESIS, some_fields

from .factories import CustomerFactory

pytestmark = pytest.mark.django_db


@HYPOTHESIS
@given(reason=HOSTILE_TEXT)
def test_dismiss_form(officer_client, officer, reason):
    signal = RiskSignal.objects.create(customer=CustomerFactory(officer=officer),
                                       source="manual", rule="other")
    response = officer_client.post(reverse("customers:signal_dismiss", args=[signal.pk]),
                                   {"reason": reason})
    assert response.status_code in (200, 302)
    event(f"answered {response.status_code}")
    signal.refresh_from_db()
    if response.status_code == 200:
        assert signal.status == RiskSignal.Status.OPEN
    else:
        assert signal.status == RiskSignal.Status.DISMISSED
        assert signal.status_reason == reason.strip() and signal.status_reason
    signal.customer.delete()


@HYPOTHESIS
@given(params=some_fields({"team": HOSTILE_NUMBER, "officer": HOSTILE_NUMBER,
                           "kind": HOSTILE_TEXT, "severity": HOSTILE_TEXT,
                           "status": st.one_of(HOSTILE_TEXT, st.sampled_from(["all", "open"])),
                           "age": HOSTILE_NUMBER, "page": HOSTILE_NUMBER}))
def test_list_filters(admin_client_, params):
    # NUL anywhere in the query is refused before any view reads it (RequestInputMiddleware).
    refused = any("\x00" in str(value) for value in params.values())
    expected = 400 if refused else 200
    assert admin_client_.get(reverse("customers:signal_list"), params).status_code == expected


@HYPOTHESIS
@given(stale=HOSTILE_NUMBER, expire=HOSTILE_NUMBER)
def test_settings_form(admin_client_, stale, expire):
    response = admin_client_.post(reverse("customers:signal_settings"),
                                  {"stale_days": stale, "expire_days": expire})
    assert response.status_code in (200, 302)
    row = SignalSettings.load()
    assert 1 <= row.stale_days <= 365 and 7 <= row.expire_days <= 3650
