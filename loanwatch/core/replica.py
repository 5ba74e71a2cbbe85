"""Reads that may go to a PostgreSQL replica.

With `REPLICA_DATABASE_URL` set, the settings add a "replica" database and `ReplicaRouter`.
Code that reads a lot and writes nothing a user waits to see again — the charts, the export jobs'
rows, the bank-wide lists — runs its reads inside `reading_from_replica()` (a context manager
or a decorator); every other read, and every write anywhere, goes to the primary ("default").

Inside a transaction on the primary the reads stay there too: a transaction that writes must
read what it wrote, and a replica may be a moment behind. Without a replica configured the
marking changes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reading: ContextVar[bool] = ContextVar("loanwatch_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def reading_from_replica() -> Iterator[None]:
    """Send the reads made inside this block to the replica, when there is one."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def read_alias() -> str:
    """Where a read made now goes."""
    if (_reading.get() and replica_configured()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block):
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Reads marked by `reading_from_replica` to the replica; everything else, and every write,
    to the primary. Migrations run on the primary alone (the replica follows it)."""

    def db_for_read(self, model, **hints) -> str:
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
