"""The shared form helpers: a service's refusal shown on a form; a list's query parameters."""

from __future__ import annotations

from datetime import date

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import QueryDict
from django.utils.module_loading import import_string

from loanwatch.core.forms import FlagField, IdField, ListFilterForm, form_apply_error


class Account(forms.Form):
    name = forms.CharField(required=False)
    password = forms.CharField(required=False)


def _validated(data=None) -> Account:
    form = Account(data or {"name": "a", "password": "b"})
    assert form.is_valid()
    return form


def test_per_field_messages_go_on_the_fields_the_form_has():
    form = _validated()
    general = form_apply_error(form, ValidationError({"name": ["Taken.", "Too short."]}))
    assert form.errors == {"name": ["Taken.", "Too short."]}
    assert general == []
    assert "name" not in form.cleaned_data


def test_unknown_fields_and_non_field_errors_become_the_forms_own():
    form = _validated()
    general = form_apply_error(form, ValidationError({
        "name": ["Taken."], "classifications": ["Not for this loan."],
        NON_FIELD_ERRORS: ["Changed meanwhile."]}))
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Not for this loan.", "Changed meanwhile."]
    assert general == ["Not for this loan.", "Changed meanwhile."]


def test_a_plain_error_becomes_the_forms_own():
    form = _validated()
    general = form_apply_error(form, ValidationError(["Too late.", "Closed."]))
    assert form.non_field_errors() == ["Too late.", "Closed."]
    assert general == ["Too late.", "Closed."]
    assert list(form.errors) == [NON_FIELD_ERRORS]


def test_a_plain_error_can_go_on_a_named_field():
    form = _validated()
    general = form_apply_error(form, ValidationError("Too common."), plain_to="password")
    assert form.errors == {"password": ["Too common."]}
    assert general == []


def test_plain_to_a_field_the_form_lacks_falls_back_to_the_forms_own():
    class Other(forms.Form):
        name = forms.CharField(required=False)

    form = Other({})
    form.is_valid()
    form_apply_error(form, ValidationError("Too common."), plain_to="password")
    assert form.non_field_errors() == ["Too common."]


def test_a_message_with_parameters_is_shown_interpolated():
    form = _validated()
    form_apply_error(form, ValidationError({"name": ValidationError(
        "At most %(n)d.", params={"n": 3})}))
    assert form.errors["name"] == ["At most 3."]


# --- a list's query parameters --------------------------------------------------------------

class Listing(ListFilterForm):
    q = forms.CharField(required=False)
    team = IdField()
    since = forms.DateField(required=False)
    weeks = forms.IntegerField(required=False, initial=8)
    overdue = FlagField()


def _query(text: str) -> QueryDict:
    return QueryDict(text)


def test_parameters_that_parse_are_used():
    form = Listing(_query("q=%20ab%20&team=12&since=2026-05-20&weeks=3&overdue=1"))
    assert form.values() == {"q": "ab", "team": 12, "since": date(2026, 5, 20), "weeks": 3,
                             "overdue": True}
    assert not form.errors


def test_absent_parameters_give_the_initial_or_empty_value():
    assert Listing(_query("")).values() == {"q": "", "team": None, "since": None, "weeks": 8,
                                            "overdue": False}


@pytest.mark.parametrize(("name", "value"), [
    ("team", "abc"), ("team", "0"), ("team", "-3"), ("team", "9" * 40), ("team", "²"),
    ("since", "2026-02-30"), ("since", "9999-99-99"), ("weeks", "1e400"), ("q", "a\x00b"),
    ("overdue", "0"), ("overdue", "on"),
])
def test_a_bad_parameter_is_left_out_and_reported(name, value):
    query = QueryDict(mutable=True)
    query.update({"team": "7"})
    query[name] = value
    form = Listing(query)
    values = form.values()
    assert values[name] == Listing(_query("")).values()[name]
    assert list(form.errors) == [name]
    if name != "team":
        assert values["team"] == 7


@pytest.mark.parametrize("formset_class", [
    "reports.forms.PointFormSet", "reports.forms.MeasureFormSet",
    "visits.forms.InterviewFormSet", "customers.forms.FloorFormSet",
    "customers.records.forms.EntryFormSet"])
def test_no_formset_builds_more_rows_than_its_ceiling(formset_class):
    """A posted TOTAL_FORMS of a million builds no more than the ceiling's rows and is refused."""
    formset_type = import_string(formset_class)
    formset = formset_type({"form-TOTAL_FORMS": "1000000", "form-INITIAL_FORMS": "0"})
    assert len(formset.forms) <= formset_type.absolute_max <= 300
    assert not formset.is_valid()
    assert formset.non_form_errors()
