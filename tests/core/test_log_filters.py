"""Expected refusals are one log line each; server errors keep their traceback."""

from __future__ import annotations

import logging
import sys

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.log import AdminEmailHandler

from loanwatch.core.log_filters import OneLineRefusals
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _as_the_console_writes(records: list[logging.LogRecord]) -> list[str]:
    """The records as the configured console handler writes them, filter and format."""
    console = next(handler for handler in logging.getLogger().handlers
                   if any(isinstance(f, OneLineRefusals) for f in handler.filters))
    return [console.format(record) for record in records if console.filter(record)]


def _refused(caplog, ask) -> tuple[int, list[str]]:
    with caplog.at_level(logging.WARNING):
        response = ask()
    return response.status_code, _as_the_console_writes(
        [r for r in caplog.records if r.levelno >= logging.WARNING])


def test_a_page_the_role_may_not_use(caplog, officer_client):
    status, lines = _refused(caplog, lambda: officer_client.get(reverse("accounts:user_list")))
    assert status == 403
    assert len(lines) == 1 and "\n" not in lines[0]
    assert lines[0].endswith("Forbidden (Permission denied): /accounts/users/")


def test_a_record_outside_the_scope(caplog, officer, officer_b):
    customer = CustomerFactory(officer=officer)
    client = Client()
    client.force_login(officer_b)
    url = reverse("customers:customer_detail", args=[customer.pk])
    status, lines = _refused(caplog, lambda: client.get(url))
    assert status == 404
    assert len(lines) == 1 and lines[0].endswith(f"Not Found: {url}")


def test_a_request_that_cannot_be_read(caplog, officer_client):
    status, lines = _refused(caplog, lambda: officer_client.get("/customers/?q=%00"))
    assert status == 400
    assert len(lines) == 1 and lines[0].endswith("Bad Request: /customers/")


def test_a_suspicious_request(caplog, client):
    status, lines = _refused(caplog, lambda: client.get("/", HTTP_HOST="evil.example"))
    assert status == 400
    assert len(lines) == 1 and "\n" not in lines[0]
    assert "Invalid HTTP_HOST header: 'evil.example'" in lines[0]


def test_a_server_error_keeps_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1,
                                   "Internal Server Error: /x", None, sys.exc_info())
    record.status_code = 500
    (line,) = _as_the_console_writes([record])
    assert "Traceback" in line and "ValueError: boom" in line


def test_no_handler_of_a_request_line_writes_a_refusals_traceback():
    """Django's own console for its "django" logger (active under DEBUG) would print the
    traceback beside the one line: every handler a request's line reaches filters it, save the
    mail to the admins (server errors only)."""
    handlers: list[logging.Handler] = []
    logger: logging.Logger | None = logging.getLogger("django.request")
    while logger is not None:
        handlers += logger.handlers
        logger = logger.parent if logger.propagate else None
    assert handlers
    for handler in handlers:
        if type(handler).__module__.startswith("_pytest"):
            continue  # the test run's own capture
        if isinstance(handler, AdminEmailHandler):
            assert handler.level == logging.ERROR
            continue
        assert any(isinstance(f, OneLineRefusals) for f in handler.filters), handler
