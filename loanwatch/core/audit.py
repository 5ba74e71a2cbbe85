"""Reading the audit trail that django-pghistory's triggers write.

The trail is written by PostgreSQL triggers (every insert, update with a changed value, and delete
of a tracked model, whoever runs the statement); the application only reads it here. History is
shown to whoever may see the record itself: callers pass an object they fetched through a scoped
selector.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _
from pghistory.models import Events

ACTIONS = {
    "insert": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
}


HIDDEN_FIELDS = {"version"}


def register_actions(labels: dict[str, str]) -> None:
    """An app names the events it records by hand (`pghistory.create_event`), for readers."""
    ACTIONS.update(labels)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    action: str
    actor: Any  # a User, or None for changes made outside a request (jobs, imports, shell)
    source: str  # the request path, or the background job's name
    changes: list[FieldChange]


def _field(model: type[models.Model], name: str) -> models.Field | None:
    try:
        return model._meta.get_field(name)
    except Exception:  # a column the model no longer has
        return None


def _field_label(model: type[models.Model], name: str) -> str:
    field = _field(model, name)
    return str(field.verbose_name) if field is not None else name


class _Values:
    """Turns stored values into what a user reads: choice labels, yes/no, related names.
    Related records are fetched in one query per related model, not one per change."""

    def __init__(self, model: type[models.Model], diffs: list[dict],
                 user_ids: set | None = None, known: Iterable[models.Model | None] = ()) -> None:
        self.model = model
        # The users who made the changes come with the users the changes name: one query.
        wanted: dict[type[models.Model], set] = (
            {get_user_model(): set(user_ids)} if user_ids else {})
        for diff in diffs:
            for name, values in diff.items():
                field = _field(model, name)
                if field is not None and field.many_to_one:
                    wanted.setdefault(field.related_model, set()).update(
                        v for v in values if v is not None
                    )
        self.related: dict[type[models.Model], dict] = {}
        for obj in known:
            if obj is not None:
                self.related.setdefault(type(obj), {})[obj.pk] = obj
        for related_model, ids in wanted.items():
            in_hand = self.related.setdefault(related_model, {})
            missing = ids - in_hand.keys()
            if missing:
                in_hand.update(related_model._base_manager.in_bulk(missing))

    def show(self, name: str, value: Any) -> Any:
        field = _field(self.model, name)
        if value is None or field is None:
            return value
        if field.many_to_one:
            return self.related.get(field.related_model, {}).get(value, value)
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        # A list of choices (an ArrayField of them: months, checklist points) by their labels.
        base = getattr(field, "base_field", None)
        if base is not None and base.choices and isinstance(value, list):
            labels = dict(base.flatchoices)
            return ", ".join(str(labels.get(item, item)) for item in value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        # Figures as the pages show them: grouped by thousands, with the field's decimals
        # (10,000,000.00, not the trail's 10000000.0).
        if isinstance(field, models.DecimalField):
            try:
                figure = Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places))
            except InvalidOperation:
                return value
            return number_format(figure, field.decimal_places, force_grouping=True)
        # The trail stores dates and times as ISO text (UTC, microseconds): shown as the pages
        # show them, in the bank's time zone and the reader's language.
        if isinstance(field, models.DateTimeField) and isinstance(value, str):
            parsed = parse_datetime(value)
            if parsed is not None:
                if timezone.is_naive(parsed):
                    parsed = timezone.make_aware(parsed, UTC)
                return date_format(timezone.localtime(parsed), "SHORT_DATETIME_FORMAT")
        elif isinstance(field, models.DateField) and isinstance(value, str):
            day = parse_date(value)
            if day is not None:
                return date_format(day, "SHORT_DATE_FORMAT")
        return value


def history_for(*, obj: models.Model, limit: int = 200,
                known: Iterable[models.Model | None] = ()) -> list[HistoryEntry]:
    """The trail of one record, newest first, with who changed what from which request.

    `known`: records the caller already holds (the record's customer, its officer…); the
    changes and their authors that name them are shown without reading them again."""
    events = list(Events.objects.tracks(obj).order_by("-pgh_created_at")[:limit])
    user_ids = {
        (e.pgh_context or {}).get("user") for e in events if (e.pgh_context or {}).get("user")
    }
    model = type(obj)
    diffs = []
    for event in events:
        diff = event.pgh_diff or {}
        if event.pgh_label == "insert":
            diff = {k: [None, v] for k, v in (event.pgh_data or {}).items()
                    if not k.startswith("pgh_") and k != "id" and v not in (None, "", [])}
        diffs.append(diff)
    # The optimistic-locking counter changes with every save and tells a reader nothing.
    diffs = [{k: v for k, v in diff.items() if k not in HIDDEN_FIELDS} for diff in diffs]
    # An update that changed only hidden columns tells a reader nothing.
    kept = [(e, d) for e, d in zip(events, diffs, strict=True) if d or e.pgh_label != "update"]
    events, diffs = [e for e, _d in kept], [d for _e, d in kept]
    values = _Values(model, diffs, user_ids, known)
    users = values.related.get(get_user_model(), {})
    entries = []
    for event, diff in zip(events, diffs, strict=True):
        context = event.pgh_context or {}
        changes = [
            FieldChange(label=_field_label(model, name), old=values.show(name, old),
                        new=values.show(name, new))
            for name, (old, new) in sorted(diff.items())
        ]
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                action=str(ACTIONS.get(event.pgh_label, event.pgh_label)),
                actor=users.get(context.get("user")),
                # Which page or job made the change is for the audit export, not the reader.
                source="",
                changes=changes,
            )
        )
    return entries


def changes_feed_meta(index_name: str) -> dict[str, Any]:
    """Meta for the event model of a record the API's changes feed and `changed_since` read:
    an index in the feed's order (pgh_created_at, pgh_id), so that a page of changes is a
    short index range at any length of the trail instead of a sort of the whole table."""
    return {"indexes": [models.Index(fields=["pgh_created_at", "pgh_id"], name=index_name)]}
