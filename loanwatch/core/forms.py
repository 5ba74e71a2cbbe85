"""What every app's forms share: putting a service's refusal onto a form, a ceiling on a
formset's rows, and reading a list page's query parameters through a form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

# Without a ceiling a posted TOTAL_FORMS of a million makes Django build and render 2,000 forms
# (Django's own absolute maximum): seconds of work for one request. Above the ceiling the
# formset is refused with an error instead.
FORMSET_ROWS_MAX = 100


def bounded_formset_factory(form: type[forms.BaseForm], *, rows_max: int = FORMSET_ROWS_MAX,
                            **kwargs) -> type[forms.BaseFormSet]:
    """`formset_factory` with a ceiling on the rows a request may post."""
    return forms.formset_factory(form, max_num=rows_max, absolute_max=rows_max, **kwargs)


def form_apply_error(form: forms.BaseForm, error: ValidationError, *,
                     plain_to: str | None = None) -> list[str]:
    """Show a ValidationError — a service's refusal — on a validated form.

    Messages keyed by a field the form has go on that field. Messages keyed by a field it does
    not have, or by NON_FIELD_ERRORS, become the form's own errors; so do a plain error's, unless
    ``plain_to`` names a field of the form to put them on (a password validator's messages on
    the password field). Returns the messages that went on no field, in order.
    """
    general: list[str] = []
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            if field != NON_FIELD_ERRORS and field in form.fields:
                form.add_error(field, messages)
            else:
                general.extend(messages)
    elif plain_to is not None and plain_to in form.fields:
        form.add_error(plain_to, error.messages)
    else:
        general.extend(error.messages)
    if general:
        form.add_error(None, general)
    return general


# The largest id PostgreSQL's integer primary keys hold: a bigger one could match no row.
MAX_ID = 2**31 - 1


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's field `name`, a choice of model rows, typed as one (`form.fields` holds plain
    fields) so that its queryset can be set."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class IdField(forms.IntegerField):
    """A row's id in a query parameter."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class FlagField(forms.TypedChoiceField):
    """A ticked box in a query parameter: "1", or absent."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=[("", ""), ("1", "1")], coerce=lambda value: value == "1",
                         empty_value=False, required=False, initial=False, **kwargs)


class ListFilterForm(forms.Form):
    """A list page's query parameters, read through a form.

    Always bound to the query string. ``values()`` gives every field's value: the parsed one,
    or — for a parameter absent, empty or not understood (a word where an id goes, an impossible
    date, a NUL character) — the field's ``initial``, else its empty value. The page lists as if
    a bad parameter were absent and shows the form's errors, so a hand-edited address never
    fails.
    """

    def __init__(self, query, **kwargs) -> None:
        super().__init__(query, **kwargs)

    def values(self) -> dict:
        self.is_valid()
        values = {}
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if name not in self.cleaned_data or value in field.empty_values:
                value = field.initial if field.initial is not None else field.to_python("")
            values[name] = value
        return values
