"""Links for tags that write a long table's rows in Python instead of the template language.

Reversing a URL for each of five hundred rows costs more than the row itself. The URL is reversed
once with a stand-in id and split around it; each row's link is then the two escaped halves with
the row's id between them.
"""

from __future__ import annotations

import html

from django.urls import reverse

_MARK = 987654321  # an id no table reaches, replaced by each row's


def link_halves(name: str) -> tuple[str, str]:
    """The escaped parts of URL `name` (one integer argument) before and after the id."""
    before, _mark, after = reverse(name, args=[_MARK]).partition(str(_MARK))
    return html.escape(before), html.escape(after)
