from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loanwatch.core.forms import bounded_formset_factory

from .models import LicenceStatus, RecordEntry
from .providers import CheckData, EntryData

ENTRY_ROWS_EXTRA = 2
REGISTRATION_FIELDS = ("legal_representative", "registered_capital", "registered_address",
                       "business_scope", "shareholders")


class CheckForm(forms.Form):
    checked_on = forms.DateField(label=_("checked on"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    licence_status = forms.ChoiceField(label=_("business licence"), required=False,
                                       choices=[("", "—"), *LicenceStatus.choices])
    annual_report_year = forms.IntegerField(label=_("latest annual report filed for year"),
                                            required=False, min_value=1980, max_value=2100)
    abnormal_listed = forms.BooleanField(label=_("on the abnormal-operation list"),
                                         required=False)
    tax_abnormal = forms.BooleanField(label=_("abnormal taxpayer status"), required=False)
    legal_representative = forms.CharField(label=_("registered legal representative"),
                                           max_length=100, required=False)
    registered_capital = forms.DecimalField(label=_("registered capital (CNY)"), max_digits=16,
                                            decimal_places=2, min_value=0, required=False)
    registered_address = forms.CharField(label=_("registered address"), max_length=300,
                                         required=False)
    business_scope = forms.CharField(label=_("business scope"), required=False,
                                     max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    shareholders = forms.CharField(label=_("shareholders"), required=False, max_length=8000,
                                   widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_("One a line. Leave the registration fields empty "
                                               "if they were not read: only values read twice "
                                               "are compared."))

    def __init__(self, *args, is_company: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not is_company:
            # A person has no business licence, annual report or registration.
            for name in ("licence_status", "annual_report_year", "abnormal_listed",
                         *REGISTRATION_FIELDS):
                del self.fields[name]

    def clean_shareholders(self) -> tuple[str, ...]:
        names = [line.strip() for line in self.cleaned_data.get("shareholders", "").splitlines()]
        names = list(dict.fromkeys(n for n in names if n))
        if any(len(n) > 200 for n in names):
            raise forms.ValidationError(_("A shareholder's name has at most 200 characters."))
        return tuple(names)

    def clean_checked_on(self) -> datetime.date:
        value = self.cleaned_data["checked_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("A check cannot be dated in the future."))
        return value


class EntryForm(forms.Form):
    # The browser always sends the select's first choice; as the initial value it leaves an
    # empty row unchanged, so that the spare rows never block a save.
    kind = forms.ChoiceField(label=_("type"), choices=RecordEntry.Kind.choices,
                             initial=RecordEntry.Kind.ENFORCEMENT)
    case_number = forms.CharField(label=_("case or document number"), max_length=60)
    court = forms.CharField(label=_("court or authority"), max_length=100, required=False)
    cause = forms.CharField(label=_("cause or subject"), max_length=200, required=False,
                            help_text=_("A lawsuit's cause, a penalty's reason, the tax, or what "
                                        "is frozen."))
    stage = forms.ChoiceField(label=_("stage (lawsuits)"), required=False,
                              choices=[("", "—"), *RecordEntry.Stage.choices])
    amount = forms.DecimalField(label=_("amount involved (CNY)"), max_digits=16, decimal_places=2,
                                min_value=0, required=False)
    filed_on = forms.DateField(label=_("filing or decision date"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    closed = forms.BooleanField(label=_("closed, lifted or paid"), required=False)


class _EntryFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            key = (data["kind"], data["case_number"].strip())
            if key in seen:
                form.add_error("case_number", _("Listed twice."))
            seen.add(key)


# A company can have many court cases; a few hundred rows are still typed by hand.
EntryFormSet = bounded_formset_factory(EntryForm, formset=_EntryFormSet, extra=ENTRY_ROWS_EXTRA,
                                       can_delete=True, rows_max=300)


def reading_from(form: CheckForm, formset) -> CheckData:
    data = form.cleaned_data
    entries = tuple(
        EntryData(kind=e["kind"], case_number=e["case_number"].strip(), court=e["court"].strip(),
                  amount=e["amount"], filed_on=e["filed_on"], closed=e["closed"],
                  cause=e["cause"].strip(),
                  stage=e["stage"] if e["kind"] == RecordEntry.Kind.LAWSUIT else "")
        for e in formset.cleaned_data if e and not e.get("DELETE"))
    return CheckData(checked_on=data["checked_on"],
                     licence_status=data.get("licence_status", ""),
                     annual_report_year=data.get("annual_report_year"),
                     abnormal_listed=data.get("abnormal_listed", False),
                     tax_abnormal=data.get("tax_abnormal", False),
                     legal_representative=data.get("legal_representative", "").strip(),
                     registered_capital=data.get("registered_capital"),
                     registered_address=data.get("registered_address", "").strip(),
                     business_scope=data.get("business_scope", "").strip(),
                     shareholders=data.get("shareholders", ()), entries=entries)


class FeedForm(forms.Form):
    file = forms.FileField(label=_("data-feed file (.csv, .xlsx, .json or .jsonl)"))
    submit_label = _("Check the file")


class PolicyForm(forms.Form):
    interval_days = forms.IntegerField(label=_("check every (days)"), min_value=1,
                                       max_value=366)
    task_due_days = forms.IntegerField(label=_("visit a serious finding within (days)"),
                                       min_value=1, max_value=90)
    lawsuit_serious_amount = forms.DecimalField(
        label=_("a lawsuit is serious from (CNY)"), max_digits=16, decimal_places=2, min_value=0,
        help_text=_("A lawsuit judged against the subject is serious whatever its amount."))
    penalty_serious_amount = forms.DecimalField(
        label=_("an administrative penalty is serious from (CNY)"), max_digits=16,
        decimal_places=2, min_value=0)
    tax_serious_amount = forms.DecimalField(label=_("tax arrears are serious from (CNY)"),
                                            max_digits=16, decimal_places=2, min_value=0)
    submit_label = _("Save")
