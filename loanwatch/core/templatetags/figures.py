"""`{{ loan.balance|money }}`: an amount in the reader's unit (loanwatch/formats/amounts.py).
A builtin of the template engine (settings TEMPLATES), like the form keys."""

from __future__ import annotations

from django import template

from loanwatch.formats.amounts import money as money_text

register = template.Library()


@register.filter(is_safe=True)
def money(value: object) -> str:
    return money_text(value)
