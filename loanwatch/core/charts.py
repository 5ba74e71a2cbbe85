"""Portfolio charts: figures computed in SQL for the user's scope, served as JSON that the
browser draws with Chart.js, and offered as a table and a CSV download too.

Each app that owns figures contributes its charts in its `hooks.py` under "charts", so that core
imports none of them; the dashboard shows them in the hooks' order.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404, QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from loanwatch.formats import amounts
from loanwatch.formats.amounts import reading_unit

from . import hooks

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


# Eight colours told apart with every common colour-vision deficiency (Okabe and Ito), for
# categories that mean nothing by themselves, such as officers.
CATEGORICAL = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
               "#000000"]


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


def data(*, key: str, user: User, params: QueryDict) -> ChartData:
    """The chart's figures; ValidationError, naming each parameter, when one cannot be read."""
    found = chart(key)
    form = parameters_form(chart=found, data=params)
    if not form.is_valid():
        raise ValidationError([f"{form.fields[name].label}: {message}"
                               for name, messages in form.errors.items()
                               for message in messages])
    return found.build(user=user, params=form.cleaned_data)
