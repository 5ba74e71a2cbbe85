"""What a page's first load on a phone transfers: the page and every file it loads, compressed.

The page is requested in-process as its user; the files are those its HTML names (scripts, style
sheets, icons, the manifest and the icons it names, the service worker and the Workbox files it
imports) and those its style sheets name (a web font: the first format of each @font-face, the one
a current browser takes). Each is compressed with gzip at level 9, as whitenoise stores the
static files and as a front proxy sends the page; the sum is the weight. A size is not a clock,
so a test may hold the visit form under its bound (tests/core/test_page_weight.py).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

HASHED = re.compile(r"\.[0-9a-f]{12}(\.[^./]+)$")  # the manifest storage's content hash
TAGS = re.compile(r"<(script|link)\b([^>]*)>", re.IGNORECASE)
ATTR = re.compile(r"""([\w-]+)\s*=\s*["']([^"']*)["']""")
IMPORTS = re.compile(r"importScripts\(([^)]*)\)")
QUOTED = re.compile(r"""["']([^"']+)["']""")
FONT_SRC = re.compile(r"@font-face\s*{[^}]*?src:\s*url\(\s*[\"']?([^\"')]+)", re.IGNORECASE)
JS_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
LINK_RELS = {"stylesheet", "icon", "manifest", "apple-touch-icon"}


@dataclass
class Weight:
    path: str
    files: list[tuple[str, int, int]] = field(default_factory=list)  # (url, raw, gzipped)

    @property
    def raw(self) -> int:
        return sum(raw for _url, raw, _gz in self.files)

    @property
    def compressed(self) -> int:
        return sum(gz for _url, _raw, gz in self.files)


def _static_bytes(url: str) -> bytes | None:
    path = urlsplit(url).path
    prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else \
        "/" + settings.STATIC_URL
    if not path.startswith(prefix):
        return None
    name = path[len(prefix):]
    found = finders.find(name) or finders.find(HASHED.sub(r"\1", name))
    if not found:
        return None
    with open(found if isinstance(found, str) else found[0], "rb") as handle:
        return handle.read()


def _fetch(client: Client, url: str) -> bytes | None:
    body = _static_bytes(url)
    if body is not None:
        return body
    response = client.get(urlsplit(url).path)
    if response.status_code != 200:
        return None
    if response.streaming:
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content


def _named_by_html(html: str) -> list[str]:
    urls = []
    for tag, attrs in TAGS.findall(html):
        values = {k.lower(): v for k, v in ATTR.findall(attrs)}
        if tag.lower() == "script" and values.get("src"):
            urls.append(values["src"])
        elif tag.lower() == "link" and values.get("href") and (
                set(values.get("rel", "").lower().split()) & LINK_RELS):
            urls.append(values["href"])
    return urls


def first_load(client: Client, path: str) -> Weight:
    """The page at `path` (as the client's user) and every file its first load fetches."""
    weight = Weight(path)
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    html = response.content
    seen: set[str] = set()
    queue = [(path, html)]
    pending = _named_by_html(html.decode("utf-8", "replace"))
    # The service worker installs during the first visit, with the files it imports.
    sw = re.search(r'data-sw="([^"]+)"', html.decode("utf-8", "replace"))
    if sw:
        pending.append(sw.group(1))
    while pending:
        url = urljoin(path, pending.pop(0))
        if url in seen or urlsplit(url).scheme in ("data",):
            continue
        seen.add(url)
        body = _fetch(client, url)
        if body is None:
            continue
        queue.append((url, body))
        text = body.decode("utf-8", "replace")
        if url.split("?")[0].endswith(".css"):
            pending += [urljoin(url, found.split("?")[0]) for found in FONT_SRC.findall(text)]
        elif url.split("?")[0].endswith(".webmanifest"):
            pending += [icon["src"] for icon in json.loads(text).get("icons", [])]
        elif "importScripts(" in text:
            for call in IMPORTS.findall(text):
                pending += [JS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), quoted)
                            for quoted in QUOTED.findall(call)]
    for url, body in queue:
        weight.files.append((url, len(body), len(gzip.compress(body, compresslevel=9))))
    return weight
