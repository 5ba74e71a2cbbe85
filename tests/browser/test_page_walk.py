"""Every page of the walk (loanwatch/devtools/walk.py), as its role sees it on the demo data, at
phone and desktop width in both languages: nothing scrolls the page sideways, no table cell is
too narrow for two characters of its own text, no console error, and no
text in the other language except what people typed (names, addresses, answers) and codes."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from loanwatch.accounts.passwords import DEMO_PASSWORD
from loanwatch.devtools.walk import PAGES, demo_ids

from .conftest import LANGUAGES, VIEWPORTS, sign_in

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[A-Za-z]{3,}")
# Words a Chinese page may show: the product's name, file formats and encodings, "API", the
# language switcher.
ZH_WORDS = {"LoanWatch", "English", "Excel", "PDF", "CSV", "csv", "xlsx", "JSON", "JSONL", "jsonl",
            "API", "UTF", "CNY", "ICS", "OTP"}
# The language switcher names each language in its own words.
EN_CJK = {"中文", "简体中文"}

MEASURE = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  const visible = (el) => el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null;
  const narrow = [];
  for (const cell of document.querySelectorAll("th, td")) {
    const text = cell.innerText.trim();
    if (!text || !visible(cell)) continue;
    const style = getComputedStyle(cell);
    canvas.font = style.font;
    const need = canvas.measureText([...text].slice(0, 2).join("")).width;
    const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (room + 0.5 < need) narrow.push(text.slice(0, 30) + " (" + Math.round(room) + "px)");
  }
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    const text = node.nodeValue.trim();
    if (!text || !parent || parent.closest("script, style, template, [hidden]")) continue;
    if (!visible(parent)) continue;
    texts.push(text);
  }
  // What sticks out past the window's right edge, outside any box that scrolls it away.
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > window.innerWidth + 0.5 && !el.closest(".table-responsive")) {
      wide.push(el.tagName.toLowerCase() + "." + el.className + " → " + Math.round(box.right));
    }
  }
  return {width: document.documentElement.scrollWidth, viewport: window.innerWidth,
          narrow: narrow, texts: texts, wide: wide.slice(-3)};
}"""


def _typed_text() -> set[str]:
    """Every value people or the demo typed into the project's tables: the text a page may show
    in either language."""
    values: set[str] = set()
    for label in ("customers", "records", "feed", "visits", "schedule", "reports", "accounts",
                  "core"):
        for model in apps.get_app_config(label).get_models():
            fields = [f.attname for f in model._meta.concrete_fields
                      if isinstance(f, (models.CharField, models.TextField)) and not f.choices]
            if fields:
                for row in model.objects.values_list(*fields):
                    values.update(v for v in row if v)
    return values


def _foreign(texts: list[str], language: str, typed: set[str]) -> list[str]:
    corpus = "\n".join(typed)
    found = []
    for text in texts:
        if language == "en":
            runs = [run for run in CJK.findall(text) if run not in EN_CJK]
        else:
            runs = [word for word in WORD.findall(text) if word not in ZH_WORDS]
        runs = [run for run in runs if run not in corpus]
        if runs:
            found.append(f"{text[:60]!r}: {runs[:3]}")
    return found


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_fits_and_speaks_one_language(browser, live_server, celery_worker):
    # One load of the demo data for the four walks: it is the slow part.
    call_command("demo_data", force=True, verbosity=0)
    ids = demo_ids()
    typed = _typed_text()
    problems: list[str] = []
    for language, accept in sorted(LANGUAGES.items()):
        for viewport, size in sorted(VIEWPORTS.items()):
            problems += _walk(browser, live_server.url, ids, typed, language, accept, size,
                              f"{viewport}-{language}")
    assert not problems, "\n".join(problems)


def _walk(browser, base_url: str, ids: dict, typed: set[str], language: str, accept: str,
          size: dict, label: str) -> list[str]:
    problems: list[str] = []
    signed_in: object = "nobody yet"
    context = page = None
    errors: list[str] = []
    for user, path, name in PAGES:
        if user != signed_in:
            if context is not None:
                context.close()
            context = browser.new_context(viewport=size, locale=accept, base_url=base_url,
                                          extra_http_headers={"Accept-Language": accept})
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda msg: errors.append(msg.text)
                    if msg.type == "error" else None)
            if user:
                sign_in(page, user, DEMO_PASSWORD)
            signed_in = user
        where = f"{label} {name}"
        response = page.goto(path.format(**ids))
        if response is None or response.status != 200:
            problems.append(f"{where}: answered {response and response.status}")
            continue
        page.wait_for_load_state("networkidle")
        seen = page.evaluate(MEASURE)
        if seen["width"] > seen["viewport"]:
            problems.append(f"{where}: {seen['width']} px wide in a {seen['viewport']} px window:"
                            f" {seen['wide']}")
        problems += [f"{where}: cell too narrow: {cell}" for cell in seen["narrow"]]
        problems += [f"{where}: other language: {text}"
                     for text in _foreign(seen["texts"], language, typed)]
        problems += [f"{where}: console: {error}" for error in errors]
        errors.clear()
    if context is not None:
        context.close()
    return problems
