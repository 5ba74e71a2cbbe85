"""Rows of the project's access matrix (tests/access_matrix.py) for the loan feed: its pages
are the administrators' alone."""

from __future__ import annotations

from customers.feed.services import feed_run_create
from tests.access_matrix import Row, only


def _run(p: dict) -> dict:
    run = feed_run_create(name="feed.csv", content=b"contract number\n", acting_user=p["admin"],
                          enqueue=False)
    return {"pk": run.pk}


FEED_ROWS: list[Row] = [
    Row("feed:upload", only({"admin"})),
    Row("feed:run_detail", only({"admin"}), build=_run),
    Row("feed:run_progress", only({"admin"}), build=_run),
    Row("feed:run_resend", only({"admin"}, status=302), method="post", build=_run),
    Row("feed:settings", only({"admin"})),
    Row("feed:classification_review", only({"supervisor", "supervisor_b", "admin"})),
]
