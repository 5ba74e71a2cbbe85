"""A request whose body stops short of its Content-Length (a phone that lost signal mid-upload)
is refused with 400 before any view runs: nothing saved, no version bumped, no audit row."""

from __future__ import annotations

import io
import socket
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from loanwatch.accounts.models import Team
from tests.customers.factories import CustomerFactory
from tests.visits.factories import VisitFactory
from visits.models import Visit

REFUSAL = "The request arrived incomplete, so nothing was saved."
ANSWERS = {
    "visited_on": "2026-05-20", "method": "on_site", "place": "客户办公室",
    "employees_total": "48", "total_liabilities": "15000000.00",
    "repayment_source": "经营回款", "summary": "经营基本稳定",
}


def _form(visit: Visit, **extra: str) -> dict[str, str]:
    """The visit form as a browser sends it: what the page carries first, the answers after,
    so that a cut leaves a form that would save."""
    return {**extra, "version": str(visit.version), "action": "save",
            "iv-TOTAL_FORMS": "1", "iv-INITIAL_FORMS": "0", "iv-MIN_NUM_FORMS": "0",
            "iv-MAX_NUM_FORMS": "1000", **ANSWERS}


def _draft(officer) -> Visit:
    return VisitFactory(customer=CustomerFactory(officer=officer), summary="上次的总结",
                        repayment_source="工资收入", employees_total=12)


def _visit_events() -> int:
    return apps.get_model("visits", "VisitEvent").objects.count()


def _cut(body: bytes, marker: bytes) -> bytes:
    """The body up to (not including) the marker: the fields after it never arrive."""
    return body[: body.index(marker)]


def _client(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _post_cut(client: Client, url: str, body: bytes, sent: bytes, content_type: str,
              language: str = "en"):
    return client.generic("POST", url, CONTENT_TYPE=content_type,
                          CONTENT_LENGTH=str(len(body)), HTTP_ACCEPT_LANGUAGE=language,
                          **{"wsgi.input": io.BytesIO(sent)})


@pytest.mark.django_db
def test_a_cut_off_multipart_visit_form_is_refused_and_the_draft_kept(officer):
    visit = _draft(officer)
    before = (visit.version, _visit_events())
    body = encode_multipart(BOUNDARY, _form(visit))
    url = reverse("visits:visit_edit", args=[visit.pk])
    response = _post_cut(_client(officer), url, body, _cut(body, b"repayment_source"),
                         MULTIPART_CONTENT)
    assert response.status_code == 400
    assert response.content.decode().startswith(REFUSAL)
    visit.refresh_from_db()
    assert (visit.summary, visit.repayment_source, visit.employees_total) == (
        "上次的总结", "工资收入", 12)
    assert (visit.version, _visit_events()) == before
    # The same body, arrived whole, is saved.
    whole = _client(officer).generic("POST", url, data=body, content_type=MULTIPART_CONTENT)
    assert whole.status_code == 302
    visit.refresh_from_db()
    assert (visit.summary, visit.employees_total) == ("经营基本稳定", 48)


@pytest.mark.django_db
def test_a_cut_off_urlencoded_visit_form_is_refused(officer):
    visit = _draft(officer)
    before = (visit.version, _visit_events())
    body = urlencode(_form(visit)).encode()
    response = _post_cut(_client(officer), reverse("visits:visit_edit", args=[visit.pk]), body,
                         _cut(body, b"repayment_source"), "application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.content.decode().startswith(REFUSAL)
    visit.refresh_from_db()
    assert (visit.summary, visit.version, _visit_events()) == ("上次的总结", *before)


@pytest.mark.django_db
def test_a_multipart_body_without_its_closing_boundary_is_refused(officer):
    """The length matches what arrived, but the body stops partway through the form."""
    visit = _draft(officer)
    before = (visit.version, _visit_events())
    body = encode_multipart(BOUNDARY, _form(visit))
    sent = _cut(body, f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
                      'name="repayment_source"'.encode())
    response = _post_cut(_client(officer), reverse("visits:visit_edit", args=[visit.pk]), sent,
                         sent, MULTIPART_CONTENT)
    assert response.status_code == 400
    assert response.content.decode().startswith(REFUSAL)
    visit.refresh_from_db()
    assert (visit.summary, visit.version, _visit_events()) == ("上次的总结", *before)


@pytest.mark.django_db
def test_a_cut_off_create_form_creates_nothing(admin_user):
    body = urlencode({"code": "N1", "name": "华北一组", "region": "华北"}).encode()
    response = _post_cut(_client(admin_user), reverse("accounts:team_create"), body,
                         body[: body.index(b"name=") + 10], "application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert response.content.decode().startswith(REFUSAL)
    assert not Team.objects.filter(code="N1").exists()


@pytest.mark.django_db
def test_the_refusal_speaks_the_readers_language(officer):
    visit = _draft(officer)
    body = urlencode(_form(visit)).encode()
    response = _post_cut(_client(officer), reverse("visits:visit_edit", args=[visit.pk]), body,
                         body[:40], "application/x-www-form-urlencoded", language="zh-hans")
    assert response.status_code == 400
    text = response.content.decode()
    assert text.startswith("请求未完整送达")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_dropped_mid_upload_saves_nothing(live_server, officer):
    """Over a real socket: the headers announce the whole form, half of it is sent, and the
    phone stops sending."""
    visit = _draft(officer)
    before = (visit.version, _visit_events())
    client = Client()
    client.force_login(officer)
    session = client.cookies["sessionid"].value
    csrf = "a" * 32
    body = encode_multipart(BOUNDARY, _form(visit, csrfmiddlewaretoken=csrf))
    sent = _cut(body, b"repayment_source")
    host, port = live_server.thread.host, live_server.thread.port
    head = (f"POST {reverse('visits:visit_edit', args=[visit.pk])} HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\nContent-Type: {MULTIPART_CONTENT}\r\n"
            f"Content-Length: {len(body)}\r\nAccept-Language: en\r\n"
            f"Cookie: sessionid={session}; csrftoken={csrf}\r\nConnection: close\r\n\r\n")
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(head.encode() + sent)
        conn.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.split(b"\r\n", 1)[0].split()[1] == b"400"
    assert REFUSAL.encode() in answer
    visit.refresh_from_db()
    assert (visit.summary, visit.repayment_source) == ("上次的总结", "工资收入")
    assert (visit.version, _visit_events()) == before
