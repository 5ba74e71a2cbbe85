"""The test database is kept between local runs and rebuilt only when it may be stale.

Building it runs every migration and takes tens of seconds; reusing it takes about one. pytest's
`--reuse-db` (in the project's addopts) keeps it after a run; this plugin decides when a run must
build it afresh all the same:

- when the migrations, or the database it lives on, differ from those it was built from: a
  fingerprint of every installed app's migration files and of the database settings is kept in
  the data folder (`.data/test-database`) after each finished run;
- when the last run that used it did not finish: tests with `transaction=True` empty every
  table after themselves, and only a finished run puts back the rows the migrations created
  (role groups, risk groups, the revisit policy …). The fingerprint is removed when a run starts
  and written again when it ends cleanly, so a run killed halfway leaves none.

`--create-db` always builds it (`scripts/test.sh` passes it when CI is set).
"""

from __future__ import annotations

import hashlib
import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from pytest_django.fixtures import validate_django_db

from loanwatch.local_servers import data_dir

FINGERPRINT_FILE = "test-database"
_FLUSHED = pytest.StashKey[bool]()


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for alias, database in sorted(settings.DATABASES.items()):
        where = {key: database.get(key) for key in ("ENGINE", "HOST", "PORT", "NAME")}
        digest.update(json.dumps([alias, where], sort_keys=True, default=str).encode())
    for app_config in apps.get_app_configs():
        module_name, _ = MigrationLoader.migrations_module(app_config.label)
        if module_name is None:
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for folder in getattr(module, "__path__", ()):
            for path in sorted(Path(folder).glob("*.py")):
                digest.update(f"{module_name}/{path.name}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _fingerprint_path() -> Path:
    return data_dir() / FINGERPRINT_FILE


def _empties_tables(item: pytest.Item) -> bool:
    """Whether the test runs in a TransactionTestCase, whose teardown flushes the database."""
    marker = item.get_closest_marker("django_db")
    if marker and any(validate_django_db(marker)[:2]):  # transaction, reset_sequences
        return True
    names = getattr(item, "fixturenames", ())
    return any(name in names for name in ("transactional_db", "live_server",
                                          "django_db_reset_sequences"))


@pytest.fixture(scope="session")
def django_db_fingerprint() -> str:
    return _fingerprint()


@pytest.fixture(scope="session")
def django_db_createdb(request: pytest.FixtureRequest, django_db_fingerprint: str) -> bool:
    if request.config.getvalue("create_db") or not request.config.getvalue("reuse_db"):
        return bool(request.config.getvalue("create_db"))
    path = _fingerprint_path()
    try:
        built_from = path.read_text(encoding="utf-8").strip()
    except OSError:
        built_from = ""
    return built_from != django_db_fingerprint


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request: pytest.FixtureRequest,
                    django_db_fingerprint: str):
    if not request.config.getvalue("reuse_db"):
        yield
        return
    path = _fingerprint_path()
    path.unlink(missing_ok=True)
    yield
    if request.session.stash.get(_FLUSHED, False):
        with django_db_blocker.unblock():
            for connection in connections.all():
                contents = getattr(connection, "_test_serialized_contents", None)
                if contents is None:
                    return  # nothing to put back from: the next run builds it afresh
                # As TransactionTestCase flushes: sequences keep counting past the rows put
                # back, which carry their own primary keys.
                call_command("flush", database=connection.alias, interactive=False,
                             inhibit_post_migrate=True, reset_sequences=False, verbosity=0)
                connection.creation.deserialize_db_from_string(contents)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(django_db_fingerprint + "\n", encoding="utf-8")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if _empties_tables(item):
        item.session.stash[_FLUSHED] = True
