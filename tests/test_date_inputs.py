"""Every date field shown as the browser's date picker renders its value as YYYY-MM-DD.

An <input type="date"> accepts nothing else. Without an explicit format Django writes the
active language's first input format, which in Chinese is 2026/11/29: the browser then shows
an empty field, so a visit started today asks for its date again, and a draft saved with an
optional date (a measure's due date, a founding date) loses it on the next save.
"""

from __future__ import annotations

import datetime
import importlib

import pytest
from django import forms
from django.utils import translation

FORM_MODULES = ["customers.forms", "customers.records.forms", "visits.forms",
                "visits.schedule.forms", "reports.forms", "loanwatch.accounts.forms"]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _date_pickers() -> list[tuple[str, forms.DateInput]]:
    for name in FORM_MODULES:
        importlib.import_module(name)
    prefixes = tuple(name.rsplit(".", 1)[0] + "." for name in FORM_MODULES)
    found = {}
    for form in _subclasses(forms.BaseForm):
        if not form.__module__.startswith(prefixes):
            continue
        for field_name, field in getattr(form, "base_fields", {}).items():
            widget = field.widget
            if isinstance(widget, forms.DateInput) and widget.input_type == "date":
                found[f"{form.__module__}.{form.__name__}.{field_name}"] = widget
    return sorted(found.items())


PICKERS = _date_pickers()


def test_the_forms_have_date_pickers():
    names = [name for name, _widget in PICKERS]
    assert "visits.forms.VisitStartForm.visited_on" in names
    assert "reports.forms.MeasureForm.due_on" in names


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("name", "widget"), PICKERS, ids=[name for name, _ in PICKERS])
def test_a_date_picker_gets_an_iso_date(name, widget, language):
    with translation.override(language):
        html = widget.render("on", datetime.date(2026, 11, 29))
    assert 'value="2026-11-29"' in html
