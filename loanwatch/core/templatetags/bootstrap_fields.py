"""Form fields in crispy-bootstrap5's markup, written without going through templates.

crispy's field template is a dozen nested includes and conditions per field, and Django renders
each widget through templates of its own; on the visit form (some sixty fields) that was two
thirds of the page's time. These filters write what crispy-bootstrap5 writes for a vertical form
— the same wrapper, label, required mark, classes, error block and help text, and the widgets as
Django's stock widget templates write them — in plain Python.

Whatever they do not know goes to crispy as before: a form with a crispy helper, a wrapped or
multi-part widget, a widget with a template of its own, a file input showing its current file.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms, template
from django.conf import settings
from django.forms.boundfield import BoundField
from django.template.defaultfilters import unordered_list
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_WIDGETS = "django/forms/widgets/"
# Django's widget templates that are nothing but input.html.
_INPUTS = frozenset(f"{_WIDGETS}{name}.html" for name in (
    "checkbox", "color", "date", "datetime", "email", "hidden", "number", "password", "search",
    "tel", "text", "time", "url"))
_SELECT = f"{_WIDGETS}select.html"
_OPTION = f"{_WIDGETS}select_option.html"
_TEXTAREA = f"{_WIDGETS}textarea.html"
_REQUIRED_MARK = '<span class="asteriskField">*</span>'


@register.filter
def as_bootstrap_field(field: BoundField) -> SafeString:
    """``{{ field|as_bootstrap_field }}`` writes what ``{{ field|as_crispy_field }}`` does."""
    # Set off by line breaks as crispy's output is: templates may rely on the white space
    # between a field and what follows it.
    return mark_safe(f"\n{render_field(field)}\n")  # noqa: S308 (every value in it is escaped)


@register.filter
def as_bootstrap_form(form: forms.BaseForm) -> SafeString:
    """``{{ form|as_bootstrap_form }}`` writes what ``{{ form|crispy }}`` does."""
    if not isinstance(form, forms.BaseForm) or getattr(form, "helper", None) is not None:
        return as_crispy_form(form)
    parts = []
    errors = form.non_field_errors()
    if errors:
        parts.append('<div class="alert alert-block alert-danger">\n<ul class="m-0">\n'
                     f"{unordered_list(errors)}\n</ul>\n</div>")
    parts.extend(render_field(field) for field in form)
    return mark_safe("\n".join(parts))  # noqa: S308 (every value in it is escaped)


def render_field(field: BoundField) -> str:
    """The field as crispy-bootstrap5's field.html writes it, with no white space around."""
    if getattr(field.form, "helper", None) is not None or field.is_hidden:
        return as_crispy_field(field)
    widget = field.field.widget
    if hasattr(widget, "widgets") or hasattr(widget, "widget"):
        return as_crispy_field(field)
    if isinstance(widget, forms.CheckboxInput):
        html = _checkbox(field)
    elif isinstance(widget, forms.RadioSelect):  # radios and CheckboxSelectMultiple
        html = _wrapped(field, _choices(field))
    elif isinstance(widget, forms.FileInput):
        html = _file(field)
        html = html and _wrapped(field, html)
    else:
        classes = "form-select" if isinstance(widget, forms.Select) else "form-control"
        control = _widget(field, classes + (" is-invalid" if field.errors else ""))
        html = control and _wrapped(field, control + _errors(field) + _help(field))
    return html or as_crispy_field(field)


# --- crispy-bootstrap5's field.html and its includes ---------------------------------------------

def _wrapped(field: BoundField, control: str) -> str:
    """The wrapper and label of field.html, around the control."""
    parts = [f'<div id="div_{esc(field.auto_id)}" class="mb-3{_css_classes(field)}">']
    fieldset = field.label and field.use_fieldset
    if field.label:
        if fieldset:
            describedby = field.aria_describedby
            parts.append("<fieldset" + (f' aria-describedby="{esc(describedby)}"'
                                        if describedby else "") + ">")
        tag = "legend" if fieldset else "label"
        target = f'for="{esc(field.id_for_label)}" ' if field.id_for_label else ""
        parts.append(f'<{tag} {target}class="form-label{_required_class(field)}'
                     f'{" fs-6" if fieldset else ""}">\n{_label(field)}\n</{tag}>')
    parts.append(control)
    if fieldset:
        parts.append("</fieldset>")
    parts.append("</div>")
    return "\n".join(parts)


def _checkbox(field: BoundField) -> str | None:
    control = _widget(field, "form-check-input" + (" is-invalid" if field.errors else ""))
    if control is None:
        return None
    return (f'<div class="mb-3">\n<div id="div_{esc(field.auto_id)}" '
            f'class="form-check{_css_classes(field)}">\n{control}\n'
            f'<label for="{esc(field.id_for_label)}" class="form-check-label'
            f'{_required_class(field)}">\n{_label(field)}\n</label>'
            f"{_errors(field)}{_help(field)}\n</div>\n</div>")


def _choices(field: BoundField) -> str:
    """radio_checkbox_select.html: one form-check per choice, errors after the last one."""
    widget = field.field.widget
    # As crispy's optgroups filter builds them.
    id_ = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": id_} if id_ else {})
    groups = widget.optgroups(field.html_name, widget.format_value(field.value()), attrs)
    invalid = " is-invalid" if field.errors else ""
    name = esc(field.html_name)
    parts = ["<div >"]
    for number, (group, options, _index) in enumerate(groups, 1):
        if group:
            parts.append(f"<strong>{esc(group)}</strong>")
        for option in options:
            last = number == len(groups) and option is options[-1]
            parts.append(
                f'<div class="form-check">\n<input type="{esc(option["type"])}" '
                f'class="form-check-input{invalid}" name="{name}" '
                f'value="{esc(str(option["value"]))}" {_attrs(option["attrs"])}>\n'
                f'<label for="{esc(option["attrs"].get("id", ""))}" class="form-check-label">\n'
                f'{esc(str(option["label"]))}\n</label>{_errors(field) if last else ""}\n</div>')
    parts.append("</div>" + _help(field))
    return "\n".join(parts)


def _file(field: BoundField) -> str | None:
    """field_file.html, for a file input with no current file to show."""
    parts = []
    for subwidget in field.subwidgets:
        data = subwidget.data
        if data.get("is_initial"):
            return None
        classes = "form-control"
        if data["attrs"].get("class"):
            classes += f" {data['attrs']['class']}"
        if field.errors:
            classes += " is-invalid"
        attrs = {name: value for name, value in data["attrs"].items() if name != "class"}
        invalid = ' class="is-invalid"' if field.errors else ""
        parts.append(
            f"<div{invalid}>\n"
            f'<input type="{esc(data["type"])}" name="{esc(data["name"])}" class="{esc(classes)}"'
            f'{" disabled" if field.field.disabled else ""}{_attrs(attrs)}>'
            f"{_errors(field)}{_help(field)}\n</div>")
    return "\n".join(parts)


def _label(field: BoundField) -> str:
    return esc(field.label) + (_REQUIRED_MARK if field.field.required else "")


def _required_class(field: BoundField) -> str:
    return " requiredField" if field.field.required else ""


def _css_classes(field: BoundField) -> str:
    classes = field.css_classes()
    return f" {esc(classes)}" if classes else ""


def _errors(field: BoundField) -> str:
    """field_errors_block.html."""
    errors = field.errors
    if not errors:
        return ""
    auto_id = esc(field.auto_id)
    lines = "".join(f'\n<p id="error_{number}_{auto_id}"><strong>{esc(error)}</strong></p>'
                    for number, error in enumerate(errors, 1))
    return (f'\n<div id="{esc(getattr(errors, "field_id", ""))}_error" class="invalid-feedback">'
            f"{lines}\n</div>")


def _help(field: BoundField) -> str:
    """help_text.html; help texts are trusted markup there too."""
    if not field.help_text:
        return ""
    target = f'id="{esc(field.auto_id)}_helptext" ' if field.auto_id else ""
    return f'\n<div {target}class="form-text">{field.help_text}</div>'


# --- crispy's crispy_field tag, then Django's stock widget templates ----------------------------

def _widget(field: BoundField, classes: str) -> str | None:
    """The widget with crispy's classes added, or None for a widget of another kind."""
    widget = field.field.widget
    kind = widget.template_name
    if kind not in _INPUTS and kind not in (_SELECT, _TEXTAREA):
        return None
    if kind == _SELECT and widget.option_template_name != _OPTION:
        return None
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs({"class": _crispy_classes(widget, classes)}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    name = esc(context["name"])
    if kind == _TEXTAREA:
        return (f'<textarea name="{name}"{_attrs(context["attrs"])}>\n'
                f'{esc(context["value"]) if context["value"] else ""}</textarea>')
    if kind == _SELECT:
        parts = [f'<select name="{name}"{_attrs(context["attrs"])}>']
        for group, options, _index in context["optgroups"]:
            if group:
                parts.append(f'\n  <optgroup label="{esc(group)}">')
            parts.extend(f'\n  <option value="{esc(str(option["value"]))}"'
                         f'{_attrs(option["attrs"])}>{esc(option["label"])}</option>\n'
                         for option in options)
            if group:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)
    value = "" if context["value"] is None else f' value="{esc(str(context["value"]))}"'
    return f'<input type="{esc(context["type"])}" name="{name}"{value}{_attrs(context["attrs"])}>'


def _crispy_classes(widget: forms.Widget, classes: str) -> str:
    """The class attribute crispy's crispy_field tag gives the widget: the widget's own classes,
    its class name in lower case, then the Bootstrap classes."""
    name = widget.__class__.__name__.lower()
    name = getattr(settings, "CRISPY_CLASS_CONVERTERS", {}).get(name, name)
    css = widget.attrs.get("class", "")
    if not css:
        css = name
    elif css.find(name) == -1:
        css += f" {name}"
    for token in classes.split():
        if token not in css.split():
            css += f" {token}"
    return css


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(f" {esc(name)}" if value is True else f' {esc(name)}="{esc(str(value))}"'
                   for name, value in attrs.items() if value is not False)
