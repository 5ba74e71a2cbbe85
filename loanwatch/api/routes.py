"""What a domain app contributes to the API, through loanwatch/core/hooks.py:

- `api_routes`: `ApiRoute(prefix, viewset, basename)`, registered under /api/v1/<prefix>/;
- `api_changes`: `ChangeKind(kind, events, rows, serializer)`, a kind of record the changes feed
  (/api/v1/changes/) reports from the app's pghistory event table.

This package imports no domain app: it reads the contributions, as the menu and the home page do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet
from rest_framework import serializers

from loanwatch.core import hooks


@dataclass(frozen=True)
class ApiRoute:
    prefix: str
    viewset: Any
    basename: str


@dataclass(frozen=True)
class ChangeKind:
    kind: str  # "customer", "loan" …: the feed's name for the record
    model: type[Model]  # a model tracked by pghistory, whose events the feed reads
    rows: Callable[[], QuerySet[Any]]  # the records as the API shows them (preloaded)
    serializer: type[serializers.BaseSerializer[Any]]
    # Events that are not the API's business (a visit's drafts), as a condition on the events.
    events_filter: Q | None = None


def event_model(model: type[Model]) -> Any:
    """The pghistory event model of a tracked model (pghistory.track sets it on the model)."""
    return model.pgh_event_model  # type: ignore[attr-defined]


def routes() -> list[ApiRoute]:
    return list(hooks.get_hooks("api_routes"))


def change_kinds() -> list[ChangeKind]:
    kinds = list(hooks.get_hooks("api_changes"))
    return sorted(kinds, key=lambda k: k.kind)
