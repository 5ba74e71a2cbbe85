"""The benchmark's export items: a bank-wide export written as its job writes it, in a process
of its own so that its peak memory is the export's and nothing else's.

    python -m loanwatch.devtools.bench_exports ledger|customers   # prints one JSON line
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time

EXPORTS = ("ledger", "customers")


def measure(kind: str) -> dict:
    """Write the administrator's bank-wide export of `kind` to a temporary file."""
    import django  # noqa: PLC0415  (this module runs as a program: set Django up first)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loanwatch.settings")
    django.setup()
    from customers import exports, ledger, selectors  # noqa: PLC0415  (after setup)
    from loanwatch.accounts.models import User  # noqa: PLC0415  (after setup)

    admin = User.objects.filter(role="admin", is_active=True).order_by("pk").first()
    if admin is None:
        raise SystemExit("no active administrator to export as")
    customers = selectors.customer_list_for_user(user=admin)
    write = ledger.portfolio_xlsx_write if kind == "ledger" else exports.customers_xlsx_write
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    started = time.monotonic()
    try:
        rows = write(customers=customers, path=path)
        size = os.path.getsize(path)
    finally:
        os.unlink(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"export": kind, "rows": rows, "seconds": round(time.monotonic() - started, 2),
            "peak_mb": round(peak / 1024), "growth_mb": round((peak - loaded) / 1024),
            "file_mb": round(size / 1e6, 1)}


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))  # noqa: T201
