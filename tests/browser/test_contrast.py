"""Every page of the walk (loanwatch/devtools/walk.py), as its role sees it on the demo data, in
both languages, reads at WCAG AA contrast: each visible piece of text against the colour behind
it, 4.5:1 (3:1 for large text), links, buttons and badges included, placeholders and disabled
controls aside. The open menus are measured too: the drop-downs at desktop width, the folded
menu on a phone. And no badge is a coloured blob without words.

The measuring script is contrast.js beside this file; its formula is
loanwatch/core/contrast.py's (tested in tests/core/test_contrast.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from loanwatch.accounts.passwords import DEMO_PASSWORD
from loanwatch.devtools.walk import PAGES, demo_ids

from .conftest import LANGUAGES, VIEWPORTS, sign_in

MEASURE = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")


def _read(seen: dict, where: str) -> list[str]:
    problems = [f"{where}: {f['ratio']}:1 (needs {f['needed']}:1) {f['colour']} on"
                f" {f['background']} at {f['path']}: {f['text']!r}" for f in seen["failures"]]
    problems += [f"{where}: a badge without words: {path}" for path in seen["mute"]]
    if not seen["measured"]:
        problems.append(f"{where}: no text measured")
    return problems


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_reads_at_aa_contrast(browser, live_server, celery_worker, capsys):
    call_command("demo_data", force=True, verbosity=0)
    ids = demo_ids()
    problems: list[str] = []
    counts = {"measured": 0, "skipped": 0}
    for language, accept in sorted(LANGUAGES.items()):
        problems += _walk(browser, live_server.url, ids, accept, language, counts)
        problems += _menus(browser, live_server.url, accept, language, counts)
    with capsys.disabled():
        # Text over an image or a gradient cannot be measured here: said, so that it is seen.
        print(f"\ncontrast: {counts['measured']} texts measured, {counts['skipped']} over an"
              " image or a gradient skipped")
    assert not problems, "\n".join(problems)


def _context(browser, base_url: str, accept: str, viewport: str, user: str | None):
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale=accept, base_url=base_url,
                                  extra_http_headers={"Accept-Language": accept})
    context.set_default_timeout(15_000)
    page = context.new_page()
    if user:
        sign_in(page, user, DEMO_PASSWORD)
    return context, page


def _measure(page, where: str, counts: dict) -> list[str]:
    seen = page.evaluate(MEASURE)
    counts["measured"] += seen["measured"]
    counts["skipped"] += seen["skipped"]
    return _read(seen, where)


def _walk(browser, base_url: str, ids: dict, accept: str, language: str,
          counts: dict) -> list[str]:
    """Desktop width is enough for colours: the phone's cards use the same ones."""
    problems: list[str] = []
    signed_in: object = "nobody yet"
    context = page = None
    for user, path, name in PAGES:
        if user != signed_in:
            if context is not None:
                context.close()
            context, page = _context(browser, base_url, accept, "desktop", user)
            signed_in = user
        where = f"desktop-{language} {name}"
        response = page.goto(path.format(**ids))
        if response is None or response.status != 200:
            problems.append(f"{where}: answered {response and response.status}")
            continue
        # Charts and badges filled in by scripts are measured as they are finally shown.
        page.wait_for_load_state("networkidle")
        problems += _measure(page, where, counts)
    if context is not None:
        context.close()
    return problems


def _menus(browser, base_url: str, accept: str, language: str, counts: dict) -> list[str]:
    """Each role's menus open: every drop-down of the desktop bar, and the phone's folded menu
    with its drop-downs."""
    problems: list[str] = []
    for user in dict.fromkeys(user for user, _path, _name in PAGES if user):
        for viewport in ("desktop", "phone"):
            context, page = _context(browser, base_url, accept, viewport, user)
            page.goto("/")
            page.wait_for_load_state("networkidle")
            where = f"{viewport}-{language} {user}'s menu"
            if viewport == "phone":
                page.click(".navbar-toggler")
                page.wait_for_selector("#mainnav.show")
                problems += _measure(page, where, counts)
            toggles = page.locator("nav.navbar .dropdown-toggle:visible")
            for index in range(toggles.count()):
                toggle = toggles.nth(index)
                toggle.click()
                page.wait_for_selector("nav.navbar .dropdown-menu.show")
                problems += _measure(page, f"{where}, {toggle.inner_text().strip()!r} open",
                                     counts)
                page.keyboard.press("Escape")
            context.close()
    return problems
