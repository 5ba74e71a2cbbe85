from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Scope


class TokenForm(forms.Form):
    name = forms.CharField(label=_("integration"), max_length=100,
                           help_text=_("The system that will use the token, e.g. "
                                       "“core-banking export” or “data warehouse”."))
    scopes = forms.MultipleChoiceField(label=_("scopes"), choices=Scope.choices,
                                       widget=forms.CheckboxSelectMultiple)
    expires_on = forms.DateField(label=_("expires on"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"},
                                                         format="%Y-%m-%d"),
                                 help_text=_("Leave empty for a token that works until it is "
                                             "revoked."))
    submit_label = _("Create the token")

    def clean_expires_on(self) -> Any:
        day = self.cleaned_data.get("expires_on")
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError(_("The expiry must lie in the future."))
        return day

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.min))
