"""Sections other apps add to the customer's information sheet (客户贷后管理信息表).

The sheet belongs to the customers app, but record checks, visits, reports and revisit tasks
live elsewhere and depend on customers, not the other way round. Each of those apps registers a
section from its AppConfig.ready(); the sheet renders the registered sections in order, so the
customers app never imports them.

A section is a template plus a function that builds its context for one customer and user. The
function receives a customer already checked against the user's scope and must keep to a fixed
number of queries whatever the customer holds (the sheet's query count is pinned in tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string

ContextBuilder = Callable[..., dict]


@dataclass(frozen=True)
class Section:
    key: str
    order: int
    template: str
    context: ContextBuilder


_SECTIONS: dict[str, Section] = {}


def register(*, key: str, order: int, template: str, context: ContextBuilder) -> None:
    """Add or replace a section; `key` is also the HTML id of the section."""
    _SECTIONS[key] = Section(key=key, order=order, template=template, context=context)


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))


def render_sections(*, request, customer) -> list[str]:
    """The HTML of every registered section, in order."""
    html = []
    for section in sections():
        context = section.context(customer=customer, user=request.user)
        context.setdefault("customer", customer)
        context.setdefault("section_id", section.key)
        html.append(render_to_string(section.template, context, request=request))
    return html
