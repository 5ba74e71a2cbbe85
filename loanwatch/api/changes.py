"""The changes feed: every change to the records the API shows, since a cursor, in order.

Changes are read from the pghistory event tables, written by PostgreSQL triggers in the same
transaction as the change itself (bulk statements and background jobs included). An event's
`pgh_created_at` is its transaction's start time (`now()`), so events are ordered by
(pgh_created_at, kind, pgh_id) and the cursor is the last of those a client was given.

A transaction that is still open may commit later with an earlier time than events already
committed: a cursor moved past them would skip it. So the feed gives only events older than
the start of the oldest transaction still open on this database (`horizon`): every transaction
that can still commit has started at or after it, and its events will come after the cursor.
A long transaction (a feed run applying a night's file) holds the feed back until it commits;
nothing is ever skipped.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q

from .routes import ChangeKind, change_kinds, event_model


class BadCursor(ValueError):
    pass


@dataclass(frozen=True, order=True)
class Position:
    at: datetime
    kind: str
    event_id: int

    def encode(self) -> str:
        raw = json.dumps([self.at.isoformat(), self.kind, self.event_id]).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Position:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            at, kind, event_id = json.loads(raw)
            position = cls(datetime.fromisoformat(at), str(kind), int(event_id))
        except (ValueError, TypeError) as error:
            raise BadCursor(text) from error
        if position.at.tzinfo is None:
            raise BadCursor(text)
        return position


def horizon() -> datetime:
    """The start of the oldest transaction still open on this database (another connection's),
    or now: events older than it belong to transactions that are over."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT least(clock_timestamp(), min(xact_start)) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
               AND xact_start IS NOT NULL""")
        return cursor.fetchone()[0]


def _after(kind: ChangeKind, position: Position | None) -> Q:
    if position is None:
        return Q()
    if kind.kind > position.kind:
        return Q(pgh_created_at__gte=position.at)
    if kind.kind < position.kind:
        return Q(pgh_created_at__gt=position.at)
    return Q(pgh_created_at__gt=position.at) | Q(pgh_created_at=position.at,
                                                  pgh_id__gt=position.event_id)


@dataclass
class Change:
    position: Position
    kind: ChangeKind
    object_id: int
    event: str


def changes_since(*, position: Position | None, limit: int) -> tuple[list[dict[str, Any]],
                                                                    Position | None, bool]:
    """Up to `limit` changes after `position`: (changes, the cursor to ask with next, whether
    more were ready). With none ready the cursor stays where it was."""
    until = horizon()
    found: list[Change] = []
    for kind in change_kinds():
        events = event_model(kind.model).objects.filter(_after(kind, position),
                                                        pgh_created_at__lt=until)
        if kind.events_filter is not None:
            events = events.filter(kind.events_filter)
        ordered = events.order_by("pgh_created_at", "pgh_id").values_list(
            "pgh_id", "pgh_created_at", "pgh_obj_id", "pgh_label")
        for event_id, at, object_id, label in ordered[:limit + 1]:
            found.append(Change(Position(at, kind.kind, event_id), kind, object_id, label))
    found.sort(key=lambda change: change.position)
    more = len(found) > limit
    found = found[:limit]
    rows: dict[tuple[str, int], Any] = {}
    for kind in change_kinds():
        ids = {c.object_id for c in found if c.kind is kind}
        if ids:
            data = kind.serializer(kind.rows().filter(pk__in=ids), many=True).data
            rows.update({(kind.kind, row["id"]): row for row in data})
    changes = [{"kind": c.kind.kind, "id": c.object_id, "event": c.event,
                "changed_at": c.position.at, "row": rows.get((c.kind.kind, c.object_id))}
               for c in found]
    return changes, (found[-1].position if found else position), more
