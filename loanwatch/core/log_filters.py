"""Filters for the log handlers configured in settings.LOGGING."""

from __future__ import annotations

import logging


class OneLineRefusals(logging.Filter):
    """A refusal the application means — 403 (a role that may not use the page), 404 (a record
    outside the user's scope), 400 (a request that cannot be read) — is logged as its one line.

    Django attaches the exception to these lines (PermissionDenied, SuspiciousOperation,
    BadRequest), and its traceback tells an operator nothing while it buries the server errors
    that matter. Answers of 500 and above keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.exc_info and isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
