"""Browser tests: headless Chromium (Debian's package) driven by Playwright, against the live
test server, the real PostgreSQL, Redis and a Celery worker.

Where no Chromium is installed these tests are skipped, and the run says so loudly at the end.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# between page actions are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which(
    "chromium-browser"
)
# The flags a closed network needs: no background connections to the outside.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORTS = {
    "desktop": {"width": 1366, "height": 900},
    "phone": {"width": 390, "height": 844},
}
LANGUAGES = {"zh": "zh-CN", "en": "en-US"}


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "allow_console(*texts): console errors the test expects")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None:
                item.add_marker(pytest.mark.skip(reason="no Chromium on this machine"))


def pytest_terminal_summary(terminalreporter) -> None:
    if CHROMIUM is None:
        terminalreporter.write_sep(
            "!", "BROWSER TESTS SKIPPED: Chromium is not installed (apt-get install chromium)",
            red=True, bold=True,
        )


@pytest.fixture(autouse=True)
def _migration_rows(django_db_serialized_rollback) -> None:
    """The live server needs committed data, so these tests flush the database afterwards; the
    serialized rollback puts back the rows that migrations created (roles, defaults)."""


@pytest.fixture
def browser(_migration_rows) -> Iterator:
    # Per test, after the database set-up: Playwright's event loop must not be running while
    # the test database restores its rows (Django refuses synchronous queries inside a loop).
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request) -> str:
    return request.param


@pytest.fixture(params=sorted(LANGUAGES))
def language(request) -> str:
    return request.param


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so that fixtures can see a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


# Where a failing browser test leaves its screenshot and the page's HTML.
FAILURES = Path(__file__).resolve().parents[2] / ".data" / "browser-failures"


def _keep_failure(request, page) -> None:
    report = getattr(request.node, "report_call", None)
    if report is None or not report.failed:
        return
    FAILURES.mkdir(parents=True, exist_ok=True)
    stem = FAILURES / re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
    try:
        page.screenshot(path=f"{stem}.png", full_page=True)
        Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
    except Exception as error:  # a crashed page still lets the test report its own failure
        Path(f"{stem}.txt").write_text(f"could not keep the page: {error}", encoding="utf-8")


@pytest.fixture
def page(request, browser, viewport, language, live_server):
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], locale=LANGUAGES[language],
        extra_http_headers={"Accept-Language": LANGUAGES[language]},
        base_url=live_server.url,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    _keep_failure(request, page)
    context.close()
    # A CSP violation or a script error is a defect the user would meet. A test that asks for
    # an error page on purpose names the console line it expects with @allow_console(...).
    allowed = [text for mark in request.node.iter_markers("allow_console") for text in mark.args]
    errors = [e for e in errors if not any(text in e for text in allowed)]
    assert not errors, errors


def sign_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form [type=submit]")
    page.wait_for_load_state()
