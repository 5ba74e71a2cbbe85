from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(label=_("loan-status file (.csv, .xlsx or .jsonl)"))
    submit_label = _("Upload and apply")
