from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from customers.models import Classification, RiskGroup, RiskSignal
from loanwatch.core.forms import bounded_formset_factory, model_choice_field

from .models import Measure, RiskPoint, RiskReport, WarningLevel


class ReportForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    warning_level = forms.ChoiceField(label=_("warning level"), choices=WarningLevel.choices)
    assessment = forms.CharField(label=_("overall assessment"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 5}))
    proposed_risk_group = forms.ModelChoiceField(
        label=_("proposed risk group"), queryset=RiskGroup.objects.all(), required=False,
        empty_label=_("no change"))

    def __init__(self, *args, loans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.loans = list(loans)
        choices = [("", _("no change")), *Classification.choices]
        for loan in self.loans:
            self.fields[f"loan_{loan.pk}"] = forms.ChoiceField(
                label=_("Classification of %(contract)s (now %(current)s, %(days)d days past due)")
                % {"contract": loan.contract_number,
                   "current": loan.get_classification_display(), "days": loan.days_past_due},
                choices=choices, required=False)

    def classifications(self) -> dict[int, str]:
        return {loan.pk: self.cleaned_data[f"loan_{loan.pk}"] for loan in self.loans
                if self.cleaned_data.get(f"loan_{loan.pk}")}

    def classification_fields(self):
        return [self[f"loan_{loan.pk}"] for loan in self.loans]


class PointForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("category"), choices=RiskPoint.Category.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=RiskSignal.Severity.choices,
                                 initial=RiskSignal.Severity.WARNING)
    text = forms.CharField(label=_("risk point"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class MeasureForm(forms.Form):
    measure = forms.ModelChoiceField(label=_("measure"), required=False,
                                     queryset=Measure.objects.filter(active=True))
    due_on = forms.DateField(label=_("due date"), required=False,
                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, keep=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A measure retired after the draft chose it stays choosable on that draft.
        model_choice_field(self, "measure").queryset = Measure.objects.filter(
            Q(active=True) | Q(pk__in=list(keep)))


PointFormSet = bounded_formset_factory(PointForm, extra=2, can_delete=True)
MeasureFormSet = bounded_formset_factory(MeasureForm, extra=2, can_delete=True)


def points_of(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("text", "").strip()]


def measures_of(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("measure")]


def initial_for(report: RiskReport) -> dict:
    data = {"version": report.version, "warning_level": report.warning_level,
            "assessment": report.assessment, "proposed_risk_group": report.proposed_risk_group}
    for proposal in report.classifications.all():
        data[f"loan_{proposal.loan_id}"] = proposal.classification
    return data


DECISION_CHOICES = [("approve", _("Approve")), ("return", _("Return for revision")),
                    ("reject", _("Reject"))]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=DECISION_CHOICES,
                                 widget=forms.RadioSelect)
    comment = forms.CharField(label=_("comment"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, may_approve: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_approve:  # the first of two approvers may still reject or return
            field = cast(forms.ChoiceField, self.fields["decision"])
            field.choices = [c for c in DECISION_CHOICES if c[0] != "approve"]


class MeasureCatalogueForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=30)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=100)
    name_en = forms.CharField(label=_("English name"), max_length=100)
    order = forms.IntegerField(label=_("order"), min_value=0, max_value=32000, initial=100)
    active = forms.BooleanField(label=_("active"), required=False, initial=True,
                                help_text=_("A retired measure stays on the reports that "
                                            "proposed it but is no longer offered."))
    needs_sign_off = forms.BooleanField(
        label=_("needs a supervisor's sign-off"), required=False,
        help_text=_("Once its outcome is recorded, a supervisor of the customer's team must "
                    "sign it off before the measure counts as done."))
    submit_label = _("Save")


class FollowUpDoneForm(forms.Form):
    outcome = forms.CharField(label=_("outcome"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("What was done, and what came of it."))
    evidence = forms.FileField(label=_("evidence file"), required=False,
                               help_text=_("Optional: a PDF, photo or Office document."))


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=[
        ("approve", _("Sign off")), ("return", _("Send back to the owner"))],
        widget=forms.RadioSelect)
    comment = forms.CharField(label=_("comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))
class ReleaseForm(forms.Form):
    """A release report (解除) says only why the risk behind the warning has gone."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    assessment = forms.CharField(label=_("why the risk has gone"), max_length=5000,
                                 widget=forms.Textarea(attrs={"rows": 6}))


class WarningApprovalsForm(forms.Form):
    levels = forms.MultipleChoiceField(
        label=_("levels needing two approvals"), required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(value, label) for value, label in WarningLevel.choices
                 if value != WarningLevel.NONE],
        help_text=_("A report with one of these warning levels, or the release of a warning "
                    "at one of them, is applied only after two approvals by two different "
                    "people, neither of them its author."))
    submit_label = _("Save")
