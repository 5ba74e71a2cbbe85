"""The text of each risk-signal rule, whichever app raises it.

An app that raises signals contributes its rules in its hooks.py with a short label and a
sentence that may use the signal's params, e.g.

    hooks.register("risk_signal_rules", Rule("headcount_down", label=_("Headcount down"),
                   text=_("Headcount fell %(change)s %% since the last visit.")))

Signals store only the rule code and params, so a reader sees them in their own language and a
rule's wording can improve without touching stored rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from loanwatch.core import hooks


@dataclass(frozen=True)
class Rule:
    code: str
    label: Promise | str
    text: Promise | str | None = None  # the label when the rule has no sentence of its own
    # Other sentences of the rule, chosen by the signal's "variant" param (e.g. which baseline
    # a figure was compared with), so that the choice too reads in the reader's language.
    variants: Mapping[str, Promise | str] = field(default_factory=dict)


def _rules() -> dict[str, Rule]:
    # A later contribution of the same code wins, as a dict built in order keeps the last.
    return {found.code: found for found in hooks.get_hooks("risk_signal_rules")}


def rule(code: str) -> Rule | None:
    return _rules().get(code)


def label(code: str) -> str:
    found = _rules().get(code)
    return str(found.label) if found else code


def describe(signal) -> str:
    """The signal's sentence; a rule nobody registers any more still shows its code."""
    found = _rules().get(signal.rule)
    if found is None:
        return _("Signal %(rule)s") % {"rule": signal.rule}
    params = signal.params or {}
    text = found.variants.get(params.get("variant", ""), found.text)
    try:
        return str(text or found.label) % params
    except (KeyError, TypeError, ValueError):
        # Params from an older version of the rule: the label still says what it is.
        return str(found.label)
