"""What a browser posts for a page's form when the user changes nothing: every input's value,
each select's chosen option, each textarea's text, the checked boxes — so a test can submit a
form as rendered, then change only what the user would change."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = form_id is None
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._first_option: str | None = None
        self._chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.form_id is not None:
            self.inside = a.get("id") == self.form_id
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select, self._first_option, self._chosen = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self.data[self._select], self._chosen = value, True
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            if not self._chosen and self._first_option is not None:
                self.data[self._select] = self._first_option
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form" and self.form_id is not None:
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self._textarea:
            # A textarea's first newline belongs to the markup, not to its text.
            text = self.data[self._textarea] + data
            self.data[self._textarea] = text.removeprefix("\n")


def posted(html: str, form_id: str | None = None) -> dict[str, str]:
    """The fields the browser would post for the form (the first one when `form_id` is None
    reads every form field on the page)."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.data
