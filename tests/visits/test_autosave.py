"""The visit form's autosave: the draft reaches the server as the officer types, through the
same save as "Save draft" — never a submission — and says plainly when it cannot."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.customers.factories import CustomerFactory
from visits import services
from visits.models import Visit

from .factories import VisitFactory, ready_visit
from .test_views import _client, _post_data

pytestmark = pytest.mark.django_db


def _draft(officer) -> Visit:
    return VisitFactory(customer=CustomerFactory(officer=officer))


def _url(visit: Visit) -> str:
    return reverse("visits:visit_autosave", args=[visit.pk])


def test_autosave_keeps_a_half_filled_draft_and_answers_the_new_version(officer):
    visit = _draft(officer)
    data = {"visited_on": "2026-05-20", "method": "on_site", "version": str(visit.version),
            "employees_total": "37", "summary": "仓库在扩建",
            "iv-TOTAL_FORMS": "1", "iv-INITIAL_FORMS": "0", "iv-MIN_NUM_FORMS": "0",
            "iv-MAX_NUM_FORMS": "1000"}
    response = _client(officer).post(_url(visit), data)
    assert response.status_code == 200
    visit.refresh_from_db()
    assert response.json()["version"] == visit.version
    assert (visit.employees_total, visit.summary, visit.status) == (37, "仓库在扩建",
                                                                    Visit.Status.DRAFT)


def test_autosave_never_submits_even_when_asked(officer):
    visit = ready_visit(customer=CustomerFactory(officer=officer))
    data = _post_data(visit, interviews=[{"role": "finance_head", "name": "王会计"}],
                      action="submit")
    response = _client(officer).post(_url(visit), data)
    assert response.status_code == 200
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DRAFT
    assert visit.submitted_at is None


def test_a_second_tab_with_an_older_version_gets_a_conflict_naming_who_saved(officer):
    visit = _draft(officer)
    client = _client(officer)
    base = {"visited_on": "2026-05-20", "method": "on_site", "version": str(visit.version),
            "iv-TOTAL_FORMS": "0", "iv-INITIAL_FORMS": "0", "iv-MIN_NUM_FORMS": "0",
            "iv-MAX_NUM_FORMS": "1000"}
    first = client.post(_url(visit), {**base, "summary": "第一个标签页"})
    assert first.status_code == 200
    second = client.post(_url(visit), {**base, "summary": "第二个标签页"})
    assert second.status_code == 409
    body = second.json()
    assert body["error"] == "conflict"
    assert body["changed_by"] in (officer.get_full_name(), officer.username)
    assert body["version"] == first.json()["version"]
    visit.refresh_from_db()
    assert visit.summary == "第一个标签页"  # nothing overwritten silently


def test_another_officer_finds_nothing(officer, officer_b):
    visit = _draft(officer)
    response = _client(officer_b).post(_url(visit), {"summary": "x"})
    assert response.status_code == 404
    visit.refresh_from_db()
    assert visit.summary != "x"


def test_a_submitted_visit_is_refused(officer):
    visit = ready_visit(customer=CustomerFactory(officer=officer))
    services.visit_submit(visit=visit, acting_user=officer)
    response = _client(officer).post(_url(visit), _post_data(visit, summary="改写"))
    assert response.status_code == 409
    assert response.json()["error"] == "locked"
    visit.refresh_from_db()
    assert visit.summary != "改写"


def test_a_signed_out_script_gets_401_json_not_the_sign_in_page(officer):
    visit = _draft(officer)
    response = Client().post(_url(visit), {"summary": "x"})
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"] == "signed_out"


def test_autosave_needs_the_csrf_token(officer):
    visit = _draft(officer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    data = {"visited_on": "2026-05-20", "method": "on_site", "summary": "无令牌",
            "iv-TOTAL_FORMS": "0", "iv-INITIAL_FORMS": "0", "iv-MIN_NUM_FORMS": "0",
            "iv-MAX_NUM_FORMS": "1000"}
    assert client.post(_url(visit), data).status_code == 403
    client.get(reverse("visits:visit_edit", args=[visit.pk]))
    token = client.cookies["csrftoken"].value
    assert client.post(_url(visit), data, HTTP_X_CSRFTOKEN=token).status_code == 200
    visit.refresh_from_db()
    assert visit.summary == "无令牌"


def test_an_invalid_answer_is_named_and_nothing_is_saved(officer):
    visit = _draft(officer)
    data = {"visited_on": "2026-05-20", "method": "on_site", "employees_total": "很多",
            "summary": "不该保存", "iv-TOTAL_FORMS": "0", "iv-INITIAL_FORMS": "0",
            "iv-MIN_NUM_FORMS": "0", "iv-MAX_NUM_FORMS": "1000"}
    response = _client(officer).post(_url(visit), data)
    assert response.status_code == 400
    assert "employees_total" in response.json()["fields"]
    visit.refresh_from_db()
    assert visit.summary != "不该保存"


def test_only_posts_are_answered(officer):
    visit = _draft(officer)
    assert _client(officer).get(_url(visit)).status_code == 405


def test_the_same_answers_sent_again_are_no_conflict(officer):
    """A save sent as the page was left, or a retry whose first answer was lost: the server
    already holds exactly these answers, so the older version is not a conflict."""
    visit = _draft(officer)
    client = _client(officer)
    data = {"visited_on": "2026-05-20", "method": "on_site", "version": str(visit.version),
            "summary": "同一份", "employees_total": "12",
            "iv-TOTAL_FORMS": "1", "iv-INITIAL_FORMS": "0", "iv-MIN_NUM_FORMS": "0",
            "iv-MAX_NUM_FORMS": "1000", "iv-0-role": "finance_head", "iv-0-name": "王会计",
            "iv-0-topics": ["2", "3"]}
    first = client.post(_url(visit), data)
    # The page drawn after that save counts the person among its initial rows.
    data["iv-INITIAL_FORMS"] = "1"
    again = client.post(_url(visit), data)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json()["version"] == first.json()["version"]
    changed = client.post(_url(visit), {**data, "summary": "改过的"})
    assert changed.status_code == 409
