"""Sections other apps add to the customer's information sheet (客户贷后管理信息表).

The sheet belongs to the customers app, but record checks, visits, reports and revisit tasks
live elsewhere and depend on customers, not the other way round. Each of those apps contributes
a Section under "customer_sheet_sections" in its hooks.py; the sheet renders them in the hooks'
order, so the customers app never imports them.

A section is a template plus a function that builds its context for one customer and user. The
function receives a customer already checked against the user's scope and must keep to a fixed
number of queries whatever the customer holds (the sheet's query count is pinned in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

from loanwatch.core import hooks

ContextBuilder = Callable[..., dict]


@dataclass(frozen=True)
class Section:
    key: str  # also the HTML id of the section
    template: str
    context: ContextBuilder


def sections() -> list[Section]:
    return hooks.get_hooks("customer_sheet_sections")


def render_sections(*, request, customer) -> list[str]:
    """The HTML of every registered section, in order."""
    html = []
    for section in sections():
        context = section.context(customer=customer, user=request.user)
        context.setdefault("customer", customer)
        context.setdefault("section_id", section.key)
        html.append(render_to_string(section.template, context, request=request))
    return html
