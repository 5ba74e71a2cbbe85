"""The text of each risk-signal rule, whichever app raises it.

An app that raises signals registers its rules once (from AppConfig.ready) with a short label
and a sentence that may use the signal's params, e.g.

    register("headcount_down", label=_("Headcount down"),
             text=_("Headcount fell %(change)s %% since the last visit."))

Signals store only the rule code and params, so a reader sees them in their own language and a
rule's wording can improve without touching stored rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Rule:
    code: str
    label: Promise | str
    text: Promise | str


_RULES: dict[str, Rule] = {}


def register(code: str, *, label: Promise | str, text: Promise | str | None = None) -> None:
    _RULES[code] = Rule(code=code, label=label, text=text or label)


def rule(code: str) -> Rule | None:
    return _RULES.get(code)


def label(code: str) -> str:
    found = _RULES.get(code)
    return str(found.label) if found else code


def describe(signal) -> str:
    """The signal's sentence; a rule nobody registers any more still shows its code."""
    found = _RULES.get(signal.rule)
    if found is None:
        return _("Signal %(rule)s") % {"rule": signal.rule}
    try:
        return str(found.text) % (signal.params or {})
    except (KeyError, TypeError, ValueError):
        # Params from an older version of the rule: the label still says what it is.
        return str(found.label)
