"""Home-page cards of the day's work (loanwatch/core/work.py computes them)."""

from __future__ import annotations

from django import template

from .. import work

register = template.Library()


@register.inclusion_tag("core/_officer_work.html", takes_context=True)
def officer_work_card(context) -> dict:
    return {**work.officer_work(user=context["request"].user), "request": context["request"]}


@register.inclusion_tag("core/_supervisor_work.html", takes_context=True)
def supervisor_work_card(context) -> dict:
    return {**work.supervisor_work(user=context["request"].user), "request": context["request"]}
