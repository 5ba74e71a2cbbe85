"""Reads marked for the replica go to the "replica" database when one is configured; writes, and
reads inside a transaction on the primary, never do. Here the replica alias points at the test
database itself, as the settings' TEST MIRROR makes it when REPLICA_DATABASE_URL is set."""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers import export_jobs
from customers.models import Customer, ExportJob
from loanwatch.core.replica import REPLICA, read_alias, reading_from_replica
from tests.customers.factories import CustomerFactory

# No test transaction around these: inside one every read stays on the primary.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def replica():
    connections.settings[REPLICA] = dict(connections[DEFAULT_DB_ALIAS].settings_dict)
    # Connected here: the test case refuses a first connection to an alias it does not name.
    connections[REPLICA].connect()
    yield connections[REPLICA]
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


def _captured(alias: str) -> CaptureQueriesContext:
    return CaptureQueriesContext(connections[alias])


def test_marked_reads_go_to_the_replica_and_writes_to_the_primary(replica, officer):
    with _captured(REPLICA) as on_replica, _captured(DEFAULT_DB_ALIAS) as on_primary:
        with reading_from_replica():
            assert Customer.objects.count() == 0
            CustomerFactory(officer=officer)
            assert Customer.objects.filter(officer=officer).exists()
        assert Customer.objects.count() == 1  # unmarked: the primary
    assert len(on_replica) >= 2 and all(q["sql"].startswith("SELECT") for q in on_replica)
    assert 'SELECT COUNT(*) AS "__count" FROM "customers_customer"' in on_replica[0]["sql"]
    assert any(q["sql"].startswith("INSERT") for q in on_primary)
    assert not any(q["sql"].startswith(("INSERT", "UPDATE", "DELETE")) for q in on_replica)


def test_inside_a_transaction_the_reads_stay_on_the_primary(replica, officer):
    with reading_from_replica():
        assert read_alias() == REPLICA
        with transaction.atomic(), _captured(REPLICA) as on_replica:
            CustomerFactory(officer=officer)
            assert read_alias() == DEFAULT_DB_ALIAS
            assert Customer.objects.count() == 1  # what the transaction wrote
    assert len(on_replica) == 0


def test_without_a_replica_the_marking_changes_nothing():
    with reading_from_replica():
        assert read_alias() == DEFAULT_DB_ALIAS


def test_the_bank_s_chart_reads_the_replica(replica, admin_client_, officer_client, officer):
    CustomerFactory(officer=officer)
    url = reverse("core:chart_json", args=["risk-groups"])
    with _captured(REPLICA) as on_replica:
        admin = admin_client_.get(url).json()
    assert len(on_replica) >= 2  # the groups and the figures
    assert sum(admin["series"][0]["values"]) == 1
    with _captured(REPLICA) as on_replica:
        assert officer_client.get(url).status_code == 200
    assert len(on_replica) == 0  # an officer's own book: the primary, computed each time


def test_an_export_job_reads_its_rows_from_the_replica(replica, supervisor, officer, settings,
                                                       tmp_path):
    settings.EXPORTS_ROOT = str(tmp_path)
    CustomerFactory(officer=officer)
    job = ExportJob.objects.create(user=supervisor, kind=ExportJob.Kind.CUSTOMERS, filters={})
    with _captured(REPLICA) as on_replica, _captured(DEFAULT_DB_ALIAS) as on_primary:
        assert export_jobs.export_run(job_id=job.pk) == 1
    assert any("customers_customer" in q["sql"] for q in on_replica)
    assert not any(q["sql"].startswith(("INSERT", "UPDATE", "DELETE")) for q in on_replica)
    assert any(q["sql"].startswith("UPDATE") for q in on_primary)  # the job's own row
    ExportJob.objects.get(pk=job.pk, status=ExportJob.Status.DONE)
