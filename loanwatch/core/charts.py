"""Portfolio charts: figures computed in SQL for the user's scope, served as JSON that the
browser draws with Chart.js, and offered as a table and a CSV download too.

Each app that owns figures contributes its charts in its `hooks.py` under "charts", so that core
imports none of them; the dashboard shows them in the hooks' order.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404, QueryDict
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from loanwatch.accounts.roles import Role
from loanwatch.formats import amounts
from loanwatch.formats.amounts import reading_unit

from . import hooks
from .replica import reading_from_replica

if TYPE_CHECKING:
    from loanwatch.accounts.models import User


@dataclass
class Series:
    label: str
    values: list[float | int | None]
    # A colour that means something (a warning level's own); empty: the next of the palette.
    colour: str = ""
    # Amounts in yuan: shown in the reader's unit (yuan or ten thousand yuan), which the label
    # then names.
    money: bool = False

    def shown(self) -> tuple[str, list]:
        if not self.money:
            return self.label, [_number(v) for v in self.values]
        wan = reading_unit.get() == amounts.WAN
        unit = _("CNY 10,000") if wan else _("CNY")
        # Translators: a chart series' name and its unit of money, as in "balance (CNY)".
        return _("%(label)s (%(unit)s)") % {"label": self.label, "unit": unit}, [
            None if v is None else round(float(v) / (10_000 if wan else 1), 2)
            for v in self.values]


@dataclass
class ChartData:
    """What one chart shows: a label per column and one or more series of numbers.

    A `matrix` chart (the classification migration) reads its series as rows."""

    labels: list[str]
    series: list[Series]
    note: str = ""
    # A colour per label where the labels are categories that have one (the five loan
    # classifications) or must be told apart (officers: CATEGORICAL); empty: by series.
    label_colours: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"labels": self.labels, "note": self.note,
                "series": [{"label": label, "values": values,
                            **({"colour": s.colour} if s.colour else {})}
                           for s in self.series for label, values in [s.shown()]],
                **({"label_colours": self.label_colours} if self.label_colours else {})}


# Eight colours told apart with every common colour-vision deficiency, for categories that mean
# nothing by themselves, such as officers: Okabe and Ito's palette, with its orange, sky blue
# and yellow taken darker (and the sky blue towards indigo, away from the blue) so that every
# bar and line stands 3:1 against the chart's background (WCAG 1.4.11).
CATEGORICAL = ["#0072B2", "#A87A00", "#009E73", "#CC79A7", "#332288", "#D55E00", "#999933",
               "#000000"]
# What the charts are drawn on: the card's body.
CHART_BACKGROUND = "#ffffff"


def categorical(count: int) -> list[str]:
    return [CATEGORICAL[index % len(CATEGORICAL)] for index in range(count)]


@dataclass(frozen=True)
class Chart:
    key: str
    title: Promise | str
    kind: str  # "bar", "line" or "matrix"
    build: Callable[..., ChartData]  # build(user=, params=dict of PARAMETER_FIELDS' values)
    # The GET parameters the chart understands, as (name, label, input type); each input type
    # is read by its field in PARAMETER_FIELDS.
    params: tuple[tuple[str, Promise | str, str], ...] = field(default_factory=tuple)
    unit: Promise | str = ""


def month_label(day: datetime.date) -> str:
    """A month on a chart's axis as the reader's language writes it: 2026年11月 / Nov 2026."""
    return formats.date_format(day, "YEAR_MONTH_FORMAT")


def day_label(day: datetime.date) -> str:
    """A day on a chart's axis or in its note: 2026年11月30日 / 30 Nov 2026."""
    return formats.date_format(day, "SHORT_DATE_FORMAT")


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


def _date_field(label: Promise | str) -> forms.DateField:
    # Days a portfolio's figures can be about; beyond them date arithmetic (the day after
    # 9999-12-31) would fail.
    return forms.DateField(label=label, required=False, validators=[
        MinValueValidator(datetime.date(1900, 1, 1)),
        MaxValueValidator(datetime.date(2999, 12, 31))])


PARAMETER_FIELDS: dict[str, Callable[[Promise | str], forms.Field]] = {"date": _date_field}


def parameters_form(*, chart: Chart, data: QueryDict) -> forms.Form:
    """The chart's GET parameters read by a form: what is not a date is said so, by name."""
    fields = {name: PARAMETER_FIELDS[kind](label) for name, label, kind in chart.params}
    return type("ChartParametersForm", (forms.Form,), fields)(data)


# How long a team's or the bank's figures are kept. They move with the nightly loan feed and
# the planner, and with visits through the day; ten minutes old is recent enough for a chart,
# and the note says how old.
CACHE_SECONDS = 600


def cache_scope(user: User) -> str:
    """The key part naming the figures' scope, or "" for an officer's own book: fifty customers
    cost nothing to count, so an officer's charts are always computed."""
    if user.role == Role.ADMIN:
        return "bank"
    if user.role == Role.SUPERVISOR and user.team_id:
        return f"team-{user.team_id}"
    return ""


def cache_key(*, key: str, scope: str, params: dict) -> str:
    values = ",".join(f"{name}={value.isoformat() if value else ''}"
                      for name, value in sorted(params.items()))
    return f"chart:{key}:{scope}:{translation.get_language()}:{values}"


def data(*, key: str, user: User, params: QueryDict) -> ChartData:
    """The chart's figures; ValidationError, naming each parameter, when one cannot be read.

    A team's and the bank's figures are read from the replica when there is one, and kept in the
    cache for CACHE_SECONDS per chart, scope, language and parameters: a chart of the bank then
    costs the same at any size of the book but once in ten minutes.
    """
    found = chart(key)
    form = parameters_form(chart=found, data=params)
    if not form.is_valid():
        raise ValidationError([f"{form.fields[name].label}: {message}"
                               for name, messages in form.errors.items()
                               for message in messages])
    scope = cache_scope(user)
    if not scope:
        return found.build(user=user, params=form.cleaned_data)
    name = cache_key(key=key, scope=scope, params=form.cleaned_data)
    kept = cache.get(name)
    if kept is None:
        with reading_from_replica():
            kept = (found.build(user=user, params=form.cleaned_data), timezone.now())
        cache.set(name, kept, CACHE_SECONDS)
    figures, counted_at = kept
    as_of = _("Figures as of %(time)s.") % {
        "time": formats.time_format(timezone.localtime(counted_at), "H:i")}
    return replace(figures, note=f"{figures.note} {as_of}".strip())
