"""Regenerate docs/screenshots/: each main page as each role sees it, desktop and phone.

    make screenshots

Runs against the development database with the demo data (it loads it if missing), through a
server it starts itself on a free port, in headless Chromium (Debian's package).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "LoanWatch-demo-2026"  # noqa: S105  (the documented demo password)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

# (user, path, name). Features add their main pages here; {customer}, {visit} and {report}
# name demo records (see _demo_ids).
PAGES = [
    (None, "/accounts/login/", "login"),
    ("officer1", "/", "officer-home"),
    ("supervisor1", "/", "supervisor-home"),
    ("admin", "/", "admin-home"),
    ("admin", "/accounts/users/", "admin-users"),
    ("officer1", "/customers/", "officer-customers"),
    ("officer1", "/customers/{customer}/", "officer-customer-sheet"),
    ("officer1", "/records/due/", "officer-record-checks-due"),
    ("officer1", "/visits/{visit}/", "officer-visit"),
    ("officer1", "/visits/drafts/", "officer-visit-drafts"),
    ("officer1", "/schedule/", "officer-plan"),
    ("supervisor1", "/customers/", "supervisor-customers"),
    ("supervisor1", "/reports/", "supervisor-approval-queue"),
    ("supervisor1", "/reports/{report}/", "supervisor-report"),
    ("supervisor1", "/dashboard/", "supervisor-charts"),
    ("admin", "/schedule/policy/", "admin-revisit-policy"),
]

DEMO_IDS = """
import json
from customers.models import Customer
from reports.models import RiskReport
from visits.models import Visit
visit = Visit.objects.filter(officer__username="officer1", status="submitted").first()
report = (RiskReport.objects.filter(customer__team__code="BJ-HD").exclude(status="draft")
          .first())
print(json.dumps({"customer": visit.customer_id if visit else
                  Customer.objects.filter(officer__username="officer1").first().pk,
                  "visit": visit.pk if visit else 0, "report": report.pk if report else 0}))
"""


def _demo_ids(py: str, env: dict) -> dict:
    """The demo records the screenshots show, found in the database the server will use."""
    out = subprocess.run([py, "manage.py", "shell", "-c", DEMO_IDS], cwd=ROOT, env=env,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("Chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    py = sys.executable
    env = {**os.environ, "DEBUG": "true"}
    subprocess.run([py, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([py, "manage.py", "demo_data"], cwd=ROOT, env=env, check=True)
    ids = _demo_ids(py, env)
    port = _free_port()
    server = subprocess.Popen([py, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=ARGS)
            for lang, accept in (("zh", "zh-CN"), ("en", "en-US")):
                for view, size in VIEWPORTS.items():
                    contexts: dict = {}
                    for user, path, name in PAGES:
                        if user not in contexts:
                            ctx = browser.new_context(viewport=size, locale=accept,
                                                      extra_http_headers={
                                                          "Accept-Language": accept})
                            page = ctx.new_page()
                            if user:
                                page.goto(f"{base}/accounts/login/")
                                page.fill("input[name=username]", user)
                                page.fill("input[name=password]", PASSWORD)
                                page.click("main form [type=submit]")
                                page.wait_for_load_state()
                            contexts[user] = page
                        page = contexts[user]
                        response = page.goto(f"{base}{path.format(**ids)}")
                        if response is None or response.status == 404:
                            continue  # a page of a feature this checkout does not have yet
                        target = OUT / f"{name}-{view}-{lang}.png"
                        page.screenshot(path=str(target), full_page=view == "desktop")
                        print(f"wrote {target.relative_to(ROOT)}")
            browser.close()
    finally:
        server.terminate()
        server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
