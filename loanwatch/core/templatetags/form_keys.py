"""`{% csrf_token %}`, as Django's, plus the form's one-time key (core/once.py).

Loaded as a template builtin after Django's own (settings TEMPLATES "builtins"), so it takes the
place of Django's tag in every template: each form that posts, whoever writes it, carries a key
without having to remember one. The key is made when the form is drawn, one per form.
"""

from __future__ import annotations

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html
from django.utils.safestring import SafeString

from loanwatch.core.once import FIELD, new_key

register = template.Library()


def once_input() -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_key())


class KeyedCsrfTokenNode(template.Node):
    def render(self, context: template.Context) -> str:
        csrf = CsrfTokenNode().render(context)
        return csrf + once_input() if csrf else csrf


@register.tag(name="csrf_token")
def csrf_token(parser: template.base.Parser, token: template.base.Token) -> KeyedCsrfTokenNode:
    return KeyedCsrfTokenNode()
