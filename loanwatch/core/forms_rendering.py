"""Every form's markup: Bootstrap 5's vertical form, written in plain Python.

One renderer for every form of the site. It writes the markup Bootstrap 5's form documentation
describes, in the shape the page scripts, styles and browser tests rely on: a ``div`` wrapper per
field (``id="div_<id>"``, ``mb-3``), a ``form-label`` with an asterisk for a required field, the
control with ``form-control`` / ``form-select`` / ``form-check-input`` and ``is-invalid`` when it
has errors, an ``invalid-feedback`` block with each error, the help text as ``form-text``, and
the form's own errors (and those of hidden fields) in an ``alert-danger`` above the fields.

Django renders each widget through templates of its own, and a template per field costs more
than the rest of a large form's page (see ``scripts/bench_forms.py``); the common widgets are
written here directly, with what Django's stock widget templates write. A widget of another
kind (a multi-part widget, one with a template of its own) is rendered by Django, with the
Bootstrap class added, inside the same wrapper.
"""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.template.defaultfilters import unordered_list
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe

_WIDGETS = "django/forms/widgets/"
# Django's widget templates that are nothing but input.html.
_INPUTS = frozenset(f"{_WIDGETS}{name}.html" for name in (
    "checkbox", "color", "date", "datetime", "email", "hidden", "number", "password", "search",
    "tel", "text", "time", "url"))
_SELECT = f"{_WIDGETS}select.html"
_OPTION = f"{_WIDGETS}select_option.html"
_TEXTAREA = f"{_WIDGETS}textarea.html"
_REQUIRED_MARK = '<span class="asteriskField">*</span>'


def render_form(form: forms.BaseForm) -> SafeString:
    """The form's errors, then each of its fields; no ``<form>`` element, no button."""
    parts = []
    errors = list(form.non_field_errors())
    for field in form.hidden_fields():
        errors.extend(field.errors)
    if errors:
        parts.append('<div class="alert alert-block alert-danger">\n<ul class="m-0">\n'
                     f"{unordered_list(errors)}\n</ul>\n</div>")
    parts.extend(render_field(field) for field in form)
    return mark_safe("\n".join(parts))  # noqa: S308 (every value in it is escaped)


def render_post_form(form: forms.BaseForm, *, csrf_input: str, submit_label: str,
                     submit_class: str = "") -> SafeString:
    """A whole ``<form method="post">``: the CSRF input, the fields and one submit button."""
    enctype = ' enctype="multipart/form-data"' if form.is_multipart() else ""
    classes = f"btn btn-primary {submit_class}".strip()
    return mark_safe(  # noqa: S308 (every value in it is escaped; csrf_input is Django's)
        f'<form method="post"{enctype}>{csrf_input}\n{render_form(form)}\n'
        f'<div class="mb-3">\n<button type="submit" class="{esc(classes)}">'
        f"{esc(submit_label)}</button>\n</div>\n</form>")


def render_field(field: BoundField) -> str:
    """One field: wrapper, label, control, errors and help; no white space around."""
    if field.is_hidden:
        return str(field)
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return _checkbox(field)
    if isinstance(widget, forms.RadioSelect):  # radios and CheckboxSelectMultiple
        return _wrapped(field, _choices(field))
    if isinstance(widget, forms.FileInput) and not hasattr(widget, "widgets"):
        return _wrapped(field, _file(field))
    classes = "form-select" if isinstance(widget, forms.Select) else "form-control"
    control = _widget(field, classes + (" is-invalid" if field.errors else ""))
    return _wrapped(field, control + _errors(field) + _help(field))


# --- the field's wrapper, label, errors and help ----------------------------------------------

def _wrapped(field: BoundField, control: str) -> str:
    """The wrapper and label, around the control."""
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


def _checkbox(field: BoundField) -> str:
    control = _widget(field, "form-check-input" + (" is-invalid" if field.errors else ""))
    return (f'<div class="mb-3">\n<div id="div_{esc(field.auto_id)}" '
            f'class="form-check{_css_classes(field)}">\n{control}\n'
            f'<label for="{esc(field.id_for_label)}" class="form-check-label'
            f'{_required_class(field)}">\n{_label(field)}\n</label>'
            f"{_errors(field)}{_help(field)}\n</div>\n</div>")


def _choices(field: BoundField) -> str:
    """One form-check per choice, the errors after the last one."""
    widget = field.field.widget
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


def _file(field: BoundField) -> str:
    """A file input; with a file already stored, a link to it and (if optional) a clear box."""
    parts = []
    for subwidget in field.subwidgets:
        data = subwidget.data
        if data.get("is_initial"):
            parts.append(_current_file(field, data))
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


def _current_file(field: BoundField, data: dict) -> str:
    value = field.value()
    clear = ""
    if not data.get("required"):
        checkbox_id = esc(data["checkbox_id"])
        clear = (f'\n<span class="align-self-center ms-2"><span class="form-check">'
                 f'<input type="checkbox" name="{esc(data["checkbox_name"])}" '
                 f'id="{checkbox_id}" class="form-check-input"'
                 f'{" disabled" if field.field.disabled else ""}>'
                 f'<label class="form-check-label mb-0" for="{checkbox_id}">'
                 f'{esc(data["clear_checkbox_label"])}</label></span></span>')
    return (f'<div class="input-group mb-2">\n<span class="input-group-text">'
            f'{esc(data["initial_text"])}</span>\n<div class="form-control d-flex h-auto">\n'
            f'<span class="text-break flex-grow-1"><a href="{esc(getattr(value, "url", ""))}">'
            f'{esc(getattr(value, "name", value))}</a></span>{clear}\n</div>\n</div>')


def _label(field: BoundField) -> str:
    return esc(field.label) + (_REQUIRED_MARK if field.field.required else "")


def _required_class(field: BoundField) -> str:
    return " requiredField" if field.field.required else ""


def _css_classes(field: BoundField) -> str:
    classes = field.css_classes()
    return f" {esc(classes)}" if classes else ""


def _errors(field: BoundField) -> str:
    errors = field.errors
    if not errors:
        return ""
    auto_id = esc(field.auto_id)
    lines = "".join(f'\n<p id="error_{number}_{auto_id}"><strong>{esc(error)}</strong></p>'
                    for number, error in enumerate(errors, 1))
    return (f'\n<div id="{esc(getattr(errors, "field_id", ""))}_error" class="invalid-feedback">'
            f"{lines}\n</div>")


def _help(field: BoundField) -> str:
    """Help texts are trusted markup, as Django's own templates treat them."""
    if not field.help_text:
        return ""
    target = f'id="{esc(field.auto_id)}_helptext" ' if field.auto_id else ""
    return f'\n<div {target}class="form-text">{field.help_text}</div>'


# --- the control: Django's stock widget templates, written directly ---------------------------

def _widget(field: BoundField, classes: str) -> str:
    """The widget with the Bootstrap classes added."""
    widget = field.field.widget
    kind = widget.template_name
    class_attr = {"class": _classes(widget, classes)}
    if (kind not in _INPUTS and kind not in (_SELECT, _TEXTAREA)
            or kind == _SELECT and widget.option_template_name != _OPTION):
        return str(field.as_widget(attrs=class_attr))
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs(class_attr, widget)
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


def _classes(widget: forms.Widget, classes: str) -> str:
    """The widget's own classes (or its class name in lower case), then Bootstrap's."""
    name = widget.__class__.__name__.lower()
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
