"""Feed files as a core banking system writes them, for the feed's tests."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openpyxl import Workbook

from customers.feed import services
from customers.feed.models import FeedRun
from customers.feed.spec import FEED_SPEC

HEADERS_EN = [c.en for c in FEED_SPEC.columns]
HEADERS_ZH = [c.zh for c in FEED_SPEC.columns]


def line(contract: str, **overrides: Any) -> list[str]:
    values = {"contract_number": contract, "as_of": "2026-11-29", "balance": "750000.00",
              "principal_overdue": "0", "interest_overdue": "0", "days_past_due": "0",
              "next_due_on": "2026-12-21", "matures_on": "2027-01-15", "status": "active",
              "classification": ""}
    values.update({k: str(v) for k, v in overrides.items()})
    return [values[c.key] for c in FEED_SPEC.columns]


def csv_bytes(rows: list[list[str]], headers: list[str] = HEADERS_EN,
              encoding: str = "utf-8") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]], headers: list[str] = HEADERS_EN) -> bytes:
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def jsonl_bytes(rows: list[list[str]], headers: list[str] = HEADERS_EN) -> bytes:
    return "\n".join(json.dumps(dict(zip(headers, row, strict=True)), ensure_ascii=False)
                     for row in rows).encode()


def run_file(content: bytes, name: str = "feed.csv", user=None) -> FeedRun:
    """What the job does with an uploaded file, in this process."""
    run = services.feed_run_create(name=name, content=content, acting_user=user,
                                   language="en", enqueue=False)
    return services.feed_run_execute(run_id=run.pk)
