"""Template access to the form renderer (``loanwatch.core.forms_rendering``).

    {% load bootstrap_fields %}
    {{ form|as_bootstrap_form }}          the form's errors and fields
    {{ form.name|as_bootstrap_field }}    one field
    {% post_form form %}                  a whole <form method="post"> with its submit button,
                                          labelled by the form's ``submit_label``
"""

from __future__ import annotations

from django import forms, template
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from loanwatch.core.forms_rendering import render_field, render_form, render_post_form
from loanwatch.core.templatetags.form_keys import once_input

register = template.Library()


@register.filter
def as_bootstrap_field(field: forms.BoundField) -> SafeString:
    # Set off by line breaks: templates may rely on the white space between a field and what
    # follows it.
    return mark_safe(f"\n{render_field(field)}\n")  # noqa: S308 (every value in it is escaped)


@register.filter
def as_bootstrap_form(form: forms.BaseForm) -> SafeString:
    return render_form(form)


@register.simple_tag(takes_context=True)
def post_form(context: template.Context, form: forms.BaseForm) -> SafeString:
    request = context.get("request")
    csrf_input = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">{}',
                             get_token(request), once_input()) if request is not None else ""
    return render_post_form(form, csrf_input=csrf_input,
                            submit_label=getattr(form, "submit_label", _("Save")),
                            submit_class=getattr(form, "submit_class", ""))
