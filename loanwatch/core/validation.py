"""A model's own field checks, applied to values before they are written.

The forms of this project only parse input and leave validity to the services, and the imports
build their values from cells; neither goes through Model.full_clean. The services call
`fields_check` so that a form, an import's preview and its confirmation all meet the limits the
model declares (length, choices, minimum and maximum values) and never find them first in the
database, as an error page.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, ProhibitNullCharactersValidator
from django.db import models

# For the fields of money, areas and the like: what cannot be negative, and what must be more
# than zero (starting at one cent, as these fields hold two decimals).
NOT_NEGATIVE = MinValueValidator(Decimal("0"))
MORE_THAN_ZERO = MinValueValidator(Decimal("0.01"))

_NO_NUL = ProhibitNullCharactersValidator()


def field_errors(*, model: type[models.Model], values: Mapping[str, Any]) -> dict[str, list[str]]:
    """What each of the model's own fields says of the value `values` gives it, by field name.

    Only the fields named in `values` are checked, and not relations (whose check is a query
    each; the services look those up themselves). Text fields also refuse NUL, which PostgreSQL
    cannot store and Django's model fields do not check.
    """
    errors: dict[str, list[str]] = {}
    for field in model._meta.concrete_fields:
        if field.is_relation or field.name not in values:
            continue
        value = values[field.name]
        if field.blank and value in field.empty_values:
            continue  # as Model.clean_fields: an empty optional field is fine as it is
        try:
            if isinstance(value, str):
                _NO_NUL(value)
            field.clean(value, None)
        except ValidationError as error:
            errors[field.name] = error.messages
    return errors


def fields_check(*, model: type[models.Model], values: Mapping[str, Any]) -> None:
    """Raise ValidationError, by field name, if any field refuses its value."""
    errors = field_errors(model=model, values=values)
    if errors:
        raise ValidationError(errors)
