"""When the kept test database is rebuilt: the fingerprint follows the migrations and the server."""

from __future__ import annotations

import uuid

import pytest

from tests import reuse_db


@pytest.fixture
def own_migrations(tmp_path, monkeypatch, settings):
    """The reports app's migrations, read from a folder this test may edit."""
    name = f"migrations_{uuid.uuid4().hex}"  # a module imported by no earlier test
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "0001_initial.py").write_text("operations = []\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    settings.MIGRATION_MODULES = {"reports": name}
    return package


def test_the_same_migrations_give_the_same_fingerprint(own_migrations):
    assert reuse_db._fingerprint() == reuse_db._fingerprint()


@pytest.mark.parametrize("change", ["edit", "add", "delete"])
def test_a_changed_migration_changes_the_fingerprint(own_migrations, change):
    before = reuse_db._fingerprint()
    if change == "edit":
        (own_migrations / "0001_initial.py").write_text("operations = [1]\n")
    elif change == "add":
        (own_migrations / "0002_more.py").write_text("operations = []\n")
    else:
        (own_migrations / "0001_initial.py").unlink()
    assert reuse_db._fingerprint() != before


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")  # no connection is opened
def test_another_server_changes_the_fingerprint(settings):
    before = reuse_db._fingerprint()
    settings.DATABASES = {"default": {**settings.DATABASES["default"], "PORT": "1"}}
    assert reuse_db._fingerprint() != before


class _Item:
    def __init__(self, marker=None, fixturenames=()):
        self.marker, self.fixturenames = marker, fixturenames

    def get_closest_marker(self, name):
        return self.marker if name == "django_db" else None


@pytest.mark.parametrize(("item", "empties"), [
    (_Item(pytest.mark.django_db(transaction=True).mark), True),
    (_Item(pytest.mark.django_db(reset_sequences=True).mark), True),
    (_Item(fixturenames=("celery_worker", "transactional_db")), True),
    (_Item(fixturenames=("live_server",)), True),
    (_Item(pytest.mark.django_db.mark), False),
    (_Item(fixturenames=("db", "officer")), False),
    (_Item(), False),
])
def test_which_tests_empty_the_tables(item, empties):
    assert reuse_db._empties_tables(item) is empties
