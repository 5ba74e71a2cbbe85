"""Portfolio charts: figures computed in SQL for the user's scope, served as JSON that the
browser draws with Chart.js, and offered as a table and a CSV download too.

Each app that owns figures contributes its charts in its `hooks.py` under "charts", so that core
imports none of them; the dashboard shows them in the hooks' order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import Http404, QueryDict
from django.utils.functional import Promise

from . import hooks


@dataclass
class Series:
    label: str
    values: list[float | int | None]


@dataclass
class ChartData:
    """What one chart shows: a label per column and one or more series of numbers.

    A `matrix` chart (the classification migration) reads its series as rows."""

    labels: list[str]
    series: list[Series]
    note: str = ""

    def as_json(self) -> dict:
        return {"labels": self.labels, "note": self.note,
                "series": [{"label": s.label, "values": [_number(v) for v in s.values]}
                           for s in self.series]}


@dataclass(frozen=True)
class Chart:
    key: str
    title: Promise | str
    kind: str  # "bar", "line" or "matrix"
    build: Callable[..., ChartData]  # build(user=, params=QueryDict) -> ChartData
    # The GET parameters the chart understands, as (name, label, input type).
    params: tuple[tuple[str, Promise | str, str], ...] = field(default_factory=tuple)
    unit: Promise | str = ""


def _number(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def charts() -> list[Chart]:
    return hooks.get_hooks("charts")


def chart(key: str) -> Chart:
    for candidate in charts():
        if candidate.key == key:
            return candidate
    raise Http404(key)


def data(*, key: str, user, params: QueryDict) -> ChartData:
    return chart(key).build(user=user, params=params)
