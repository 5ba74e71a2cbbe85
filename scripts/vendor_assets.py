"""Copy the pinned front-end libraries from node_modules into static/vendor (git-ignored).

The files come from the npm registry at setup (`npm ci` against package-lock.json) and are served
by the app itself: a bank branch's network reaches no CDN.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

# (source under node_modules, destination under static/vendor). Source maps come along because
# the minified files name them, and the manifest storage refuses dangling references.
FILES = [
    ("bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"),
    ("bootstrap/dist/css/bootstrap.min.css.map", "bootstrap/bootstrap.min.css.map"),
    ("bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"),
    ("bootstrap/dist/js/bootstrap.bundle.min.js.map", "bootstrap/bootstrap.bundle.min.js.map"),
    ("bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"),
    ("bootstrap-icons/font/fonts", "bootstrap-icons/fonts"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
    ("chart.js/dist/chart.umd.min.js", "chartjs/chart.umd.min.js"),
    ("chart.js/dist/chart.umd.min.js.map", "chartjs/chart.umd.min.js.map"),
    # The service worker's pieces (served from /sw.js, which imports these in this order).
    *[(f"workbox-{part}/build/workbox-{part}.prod.js{tail}",
       f"workbox/workbox-{part}.prod.js{tail}")
      for part in ("core", "routing", "strategies", "expiration") for tail in ("", ".map")],
]


def main() -> int:
    missing = [src for src, _ in FILES if not (NODE / src).exists()]
    if missing:
        print("missing front-end files (run `npm ci` first):", *missing, sep="\n  ",
              file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for src, dest in FILES:
        target = VENDOR / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if (NODE / src).is_dir():
            shutil.copytree(NODE / src, target)
        else:
            shutil.copy2(NODE / src, target)
    print(f"front-end assets copied to {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
