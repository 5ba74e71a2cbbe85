from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(label=_("loan-status file (.csv, .xlsx or .jsonl)"))
    submit_label = _("Upload and apply")


class ThresholdsField(forms.Field):
    """Whole numbers of days, separated by commas or spaces: "30, 60, 90"."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> list[int]:
        text = str(value or "")[:200]
        parts = [p for p in re.split(r"[,，\s]+", text) if p]
        if not parts:
            raise ValidationError(_("Give at least one number of days."), code="required")
        if len(parts) > 10:
            raise ValidationError(_("At most ten thresholds."), code="max")
        if not all(p.isascii() and p.isdigit() and 1 <= int(p) <= 3650 for p in parts):
            raise ValidationError(_("Write whole numbers of days from 1 to 3650."),
                                  code="invalid")
        return sorted({int(p) for p in parts})


class SettingsForm(forms.Form):
    dpd_thresholds = ThresholdsField(
        label=_("days past due that raise a signal when a loan goes over them"),
        help_text=_("Separated by commas, e.g. 30, 60, 90."))
    serious_from = forms.IntegerField(
        label=_("a threshold from this many days raises a serious signal"), min_value=1,
        max_value=3650,
        help_text=_("A serious signal also opens a revisit task for the customer's officer."))
    submit_label = _("Save")
