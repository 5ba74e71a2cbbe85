from __future__ import annotations

from django import template

from loanwatch.core.notifications import render

register = template.Library()


@register.simple_tag
def notification_text(notification) -> str:
    """The notification's wording in the reader's language (escaped by the template engine)."""
    return render(notification.kind, notification.params)
