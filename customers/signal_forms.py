"""The forms of the risk-signal pages: the list's filters, a dismissal, the administrators'
numbers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loanwatch.core.forms import IdField, ListFilterForm

from .models import RiskSignal, SignalSettings
from .signals import REASON_MAX

ALL_STATUSES = "all"


class SignalFilterForm(ListFilterForm):
    """The signal list's query parameters. Without a status the list shows the open signals."""

    team = IdField(label=_("team"))
    officer = IdField(label=_("officer"))
    kind = forms.ChoiceField(label=_("source"), required=False,
                             choices=[("", ""), *RiskSignal.Source.choices])
    severity = forms.ChoiceField(label=_("severity"), required=False,
                                 choices=[("", ""), *RiskSignal.Severity.choices])
    status = forms.ChoiceField(label=_("status"), required=False,
                               initial=RiskSignal.Status.OPEN,
                               choices=[*RiskSignal.Status.choices,
                                        (ALL_STATUSES, _("any status"))])
    age = forms.IntegerField(label=_("older than (days)"), required=False, min_value=1,
                             max_value=3650)

    def filters(self) -> dict[str, Any]:
        """The list selector's keyword arguments."""
        values = self.values()
        return {"team_id": values["team"], "officer_id": values["officer"],
                "source": values["kind"], "severity": values["severity"],
                "status": values["status"], "older_than_days": values["age"]}


class SignalDismissForm(forms.Form):
    # Not required here: the service refuses an empty reason, with its own message.
    reason = forms.CharField(label=_("reason for dismissing"), required=False,
                             max_length=REASON_MAX, widget=forms.TextInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class SignalSettingsForm(forms.ModelForm):
    submit_label = _("Save")

    class Meta:
        model = SignalSettings
        fields = ["stale_days", "expire_days"]
