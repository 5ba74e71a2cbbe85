"""What every app's forms share: putting a service's refusal onto a form, and reading a list
page's query parameters through a form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


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
