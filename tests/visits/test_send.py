"""A visit submitted on a phone without a network is sent later by the page's queue
(`visits:visit_send`): stored once however often it arrives, refused whole — nothing stored —
when the visit changed meanwhile or is incomplete, and answered in JSON the page can show."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from customers.models import RiskSignal
from tests.customers.factories import CustomerFactory
from visits import services
from visits.models import EvidenceFile, Visit

from .factories import VisitFactory
from .photo_files import jpeg
from .test_views import _post_data

pytestmark = pytest.mark.django_db
KEY = "0123456789abcdef0123456789abcdef"
PERSON = [{"role": "finance_head", "name": "王会计", "statement": "回款正常", "topics": ["3"]}]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _client(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _send(client, visit, *, key=KEY, version=None, **extra):
    data = _post_data(visit, interviews=PERSON, visited_on="2026-06-30", submit_key=key,
                      evidence_kind="other",
                      evidence_files=[SimpleUploadedFile("现场.jpg", jpeg(lat=31.2304,
                                                                          lon=121.4737))],
                      **extra)
    if version is not None:
        data["version"] = str(version)
    return client.post(reverse("visits:visit_send", args=[visit.pk]), data)


def test_a_queued_visit_sent_twice_is_stored_once(officer):
    visit = VisitFactory(customer=CustomerFactory(officer=officer), visited_on=date(2026, 6, 30))
    client = _client(officer)
    first = _send(client, visit)
    assert first.status_code == 200, first.content
    assert first.json() == {"status": "submitted",
                            "url": reverse("visits:visit_detail", args=[visit.pk])}
    signals = RiskSignal.objects.filter(source_id=visit.pk).count()
    # The answer was lost on the way back: the phone sends the same submission again.
    again = _send(client, visit, version=visit.version)
    assert again.status_code == 200
    assert again.json()["status"] == "already"
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED
    assert visit.submit_key == KEY
    assert EvidenceFile.objects.filter(visit=visit).count() == 1
    assert RiskSignal.objects.filter(source_id=visit.pk).count() == signals
    # Another submission of the locked visit, under another key, is refused, not stored.
    other = _send(client, visit, key="f" * 32)
    assert other.status_code == 409
    assert other.json()["error"] == "locked"
    assert EvidenceFile.objects.filter(visit=visit).count() == 1


def test_a_visit_changed_meanwhile_is_a_conflict_and_nothing_is_stored(officer):
    visit = VisitFactory(customer=CustomerFactory(officer=officer), visited_on=date(2026, 6, 30))
    queued_version = visit.version
    # While the phone was offline, the draft was saved elsewhere.
    services.visit_save(visit=visit, acting_user=officer, data={"summary": "在电脑上改过"},
                        expected_version=queued_version)
    response = _send(_client(officer), visit, version=queued_version)
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "conflict"
    assert body["version"] == queued_version + 1
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DRAFT
    assert visit.summary == "在电脑上改过"
    assert not EvidenceFile.objects.filter(visit=visit).exists()


def test_a_version_moved_by_the_same_answers_is_no_conflict(officer):
    visit = VisitFactory(customer=CustomerFactory(officer=officer), visited_on=date(2026, 6, 30))
    client = _client(officer)
    queued_version = visit.version
    # The autosave sent these very answers just before the network went.
    saved = client.post(reverse("visits:visit_autosave", args=[visit.pk]),
                        _post_data(visit, interviews=PERSON, visited_on="2026-06-30"))
    assert saved.status_code == 200
    response = _send(client, visit, version=queued_version)
    assert response.status_code == 200, response.content
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.SUBMITTED


def test_an_incomplete_visit_is_refused_whole(officer, media):
    visit = VisitFactory(customer=CustomerFactory(officer=officer), visited_on=date(2026, 6, 30))
    response = _send(_client(officer), visit, revenue_ytd="")
    assert response.status_code == 400
    assert "revenue_ytd" in response.json()["fields"]
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DRAFT
    assert visit.revenue_ytd is None  # nothing of the submission was kept
    assert not EvidenceFile.objects.filter(visit=visit).exists()
    assert not [path for path in media.rglob("*") if path.is_file()]  # nor its photo


@pytest.mark.parametrize("key", ["", "short", "G" * 32, "0123456789abcdef0123456789abcde\n"])
def test_a_send_without_a_proper_key_is_refused(officer, key):
    visit = VisitFactory(customer=CustomerFactory(officer=officer))
    response = _send(_client(officer), visit, key=key)
    assert response.status_code == 400
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.DRAFT


def test_signed_out_the_send_is_told_in_json(officer):
    visit = VisitFactory(customer=CustomerFactory(officer=officer))
    response = _send(Client(), visit)
    assert response.status_code == 401
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.DRAFT
