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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The pages to show: the same list the browser test walks (loanwatch/devtools/walk.py).
from loanwatch.devtools.walk import PAGES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PASSWORD = "LoanWatch-demo-2026"  # noqa: S105  (the documented demo password)
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DEMO_IDS = ("import json; from loanwatch.devtools.walk import demo_ids; "
            "print(json.dumps(demo_ids()))")
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _demo_ids(py: str, env: dict) -> dict:
    """The demo records the pages name, found in the database the server will use."""
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
