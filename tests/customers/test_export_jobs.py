"""A team's or the bank's export is written by a worker: the request returns at once with the
job's page, the file holds the scope's rows, only its owner can fetch it, the owner is told,
and a day later it is gone."""

from __future__ import annotations

import datetime
import time
import zipfile
from io import BytesIO

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from customers import export_jobs
from customers.models import ExportJob
from customers.services import export_start
from loanwatch.celery import app
from loanwatch.core.models import Notification

from .factories import CustomerFactory, LoanFactory


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _wait_done(pk: int, seconds: float = 30) -> ExportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = ExportJob.objects.get(pk=pk)
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            return job
        time.sleep(0.2)
    raise AssertionError("the export did not finish")


def test_a_teams_ledger_is_written_by_the_worker(celery_worker, officer, officer_b, supervisor,
                                                 supervisor_b, admin_user):
    for n in range(3):
        LoanFactory(customer=CustomerFactory(officer=officer, name=f"甲{n}"),
                    contract_number=f"A-{n}")
    LoanFactory(customer=CustomerFactory(officer=officer_b), contract_number="B-0")
    client = _client(supervisor)
    started = time.monotonic()
    response = client.get(reverse("customers:ledger_export"))
    assert time.monotonic() - started < 1.0 and response.status_code == 302
    job = ExportJob.objects.get(user=supervisor)
    assert response.url == reverse("customers:export_job", args=[job.pk])
    job = _wait_done(job.pk)
    assert job.status == ExportJob.Status.DONE and job.rows_written == 3
    page = client.get(response.url).content.decode()
    assert 'data-status="done"' in page and 'id="export-download"' in page
    download = client.get(reverse("customers:export_download", args=[job.pk]))
    rows = list(load_workbook(BytesIO(b"".join(download.streaming_content)))
                .active.iter_rows(values_only=True))
    header = rows[0]
    assert sorted(r[header.index("contract number")] for r in rows[1:]) == ["A-0", "A-1", "A-2"]
    note = Notification.objects.get(recipient=supervisor, kind="customers.export_done")
    assert note.url == response.url and note.params["rows"] == 3
    for other in (supervisor_b, admin_user, officer):
        other_client = _client(other)
        assert other_client.get(response.url).status_code == 404
        assert other_client.get(reverse("customers:export_download",
                                        args=[job.pk])).status_code == 404


def test_the_bank_wide_customer_list_follows_the_filters(celery_worker, officer, officer_b,
                                                         admin_user):
    LoanFactory(customer=CustomerFactory(officer=officer, name="逾期甲"), days_past_due=30,
                classification="special_mention")
    LoanFactory(customer=CustomerFactory(officer=officer_b, name="逾期乙"), days_past_due=5,
                classification="special_mention")
    CustomerFactory(officer=officer_b, name="正常丙")
    client = _client(admin_user)
    response = client.get(reverse("customers:customer_export"), {"overdue": "1"})
    job = _wait_done(int(response.url.rstrip("/").rsplit("/", 1)[1]))
    assert job.kind == ExportJob.Kind.CUSTOMERS and job.rows_written == 2
    content = b"".join(client.get(reverse("customers:export_download",
                                          args=[job.pk])).streaming_content)
    names = [r[0] for r in load_workbook(BytesIO(content)).active.iter_rows(values_only=True)]
    assert sorted(names[1:]) == ["逾期乙", "逾期甲"]


@pytest.mark.django_db
def test_an_officers_own_book_downloads_at_once_streamed(officer_client, officer):
    LoanFactory(customer=CustomerFactory(officer=officer), contract_number="O-1")
    response = officer_client.get(reverse("customers:ledger_export"))
    assert response.status_code == 200 and response.streaming
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_an_unfinished_job_has_nothing_to_download(supervisor):
    job = export_start(acting_user=supervisor, kind="ledger", filters={})
    client = _client(supervisor)
    page = client.get(reverse("customers:export_job", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and 'id="export-download"' not in page
    assert client.get(reverse("customers:export_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_exports_older_than_a_day_are_cleaned(supervisor):
    old = export_start(acting_user=supervisor, kind="ledger", filters={})
    export_jobs.export_run(job_id=old.pk)
    new = export_start(acting_user=supervisor, kind="customers", filters={})
    export_jobs.export_run(job_id=new.pk)
    old.refresh_from_db()
    path = export_jobs.export_path(old)
    assert path.is_file()
    ExportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25))
    assert export_jobs.export_files_clean() == 1
    assert not path.exists() and list(ExportJob.objects.values_list("pk", flat=True)) == [new.pk]
    new.refresh_from_db()
    assert export_jobs.export_path(new).is_file()
    # A job run twice (a redelivered message) writes nothing more.
    assert export_jobs.export_run(job_id=new.pk) == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_beat_entry_cleans_old_exports_on_a_worker(celery_worker, supervisor):
    old = export_start(acting_user=supervisor, kind="ledger", filters={})
    export_jobs.export_run(job_id=old.pk)
    ExportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2))
    # What beat does when the entry is due: publish the task by name to the broker.
    app.send_task(settings.CELERY_BEAT_SCHEDULE["export-files-clean"]["task"])
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and ExportJob.objects.filter(pk=old.pk).exists():
        time.sleep(0.2)
    assert not ExportJob.objects.filter(pk=old.pk).exists()


def test_a_teams_information_sheets_come_as_one_workbook_each_in_a_zip(
        celery_worker, officer, officer_b, supervisor, monkeypatch):
    """A supervisor's list, filtered or not, gives each listed customer's sheet — identity,
    loans — and nothing of another team's; beyond the limit the list must be narrowed first."""
    mine = [CustomerFactory(officer=officer, name=f"甲方{n}公司") for n in range(3)]
    LoanFactory(customer=mine[0], contract_number="ZIP-A-1")
    CustomerFactory(officer=officer_b, name="乙方公司")
    client = _client(supervisor)
    response = client.get(reverse("customers:sheets_export"))
    job = _wait_done(ExportJob.objects.get(user=supervisor, kind="sheets").pk)
    assert job.status == ExportJob.Status.DONE and job.rows_written == 3
    assert job.file_name.endswith(".zip")
    assert 'id="export-download"' in client.get(response.url).content.decode()
    download = client.get(reverse("customers:export_download", args=[job.pk]))
    assert download["Content-Type"] == "application/zip"
    with zipfile.ZipFile(BytesIO(b"".join(download.streaming_content))) as archive:
        names = sorted(archive.namelist())
        assert len(names) == 3 and all(n.endswith(".xlsx") for n in names)
        books = {}
        for name in names:
            book = load_workbook(BytesIO(archive.read(name)))
            identity = {row[0]: row[1] for row in book["Identity"].iter_rows(values_only=True)}
            books[identity["name"]] = book
    assert set(books) == {c.name for c in mine}
    loans = [row[0] for row in books["甲方0公司"]["Loans"].iter_rows(values_only=True)]
    assert loans[1:] == ["ZIP-A-1"]

    # Filtered: only what the list shows. Too many: refused on the list, no job.
    client.get(reverse("customers:sheets_export"), {"q": "甲方1"})
    filtered = _wait_done(ExportJob.objects.filter(user=supervisor).first().pk)
    assert filtered.rows_written == 1
    monkeypatch.setattr("customers.services.SHEETS_MAX", 2)
    refused = client.get(reverse("customers:sheets_export"), follow=True)
    assert "information sheets are written for at most 2" in refused.content.decode()
    assert ExportJob.objects.filter(user=supervisor).count() == 2
