"""What a user sees when the server fails: a database outage is 503 with Retry-After in the
user's language, and no page claims that a post was saved."""

from __future__ import annotations

import contextlib

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def _database_unreachable():
    def refuse(execute, sql, params, many, context):
        raise OperationalError("could not connect to server: Connection refused")

    with connection.execute_wrapper(refuse):
        yield


def _client(user, language: str) -> Client:
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "暂时无法使用"),
                                                 ("en", "Temporarily unavailable")])
def test_a_database_outage_is_503_with_retry_after_in_the_users_language(officer, language,
                                                                         words):
    client = _client(officer, language)
    with _database_unreachable():
        response = client.post(reverse("customers:customer_create"), {"name": "断网测试"})
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert words in page and f'<html lang="{language}"' in page
    assert "safe" not in page and "安全" not in page  # nothing claims the post was kept


def test_the_outage_page_of_a_get_asks_only_to_try_again(officer):
    client = _client(officer, "en")
    with _database_unreachable():
        response = client.get(reverse("core:home"))
    assert response.status_code == 503
    assert "try again in a minute" in response.content.decode()
    assert "may not have been saved" not in response.content.decode()
