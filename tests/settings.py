"""Test settings: the real settings, pointed at a Redis database of the tests' own."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789")

from loanwatch.settings import *  # noqa: E402,F403
from loanwatch.settings import REDIS_URL as _REDIS_URL  # noqa: E402


def _redis_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


# A separate Redis database, so that a worker of a running `make run` never takes a test's task.
REDIS_URL = _redis_db(_REDIS_URL, int(os.environ.get("TEST_REDIS_DB", "15")))
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_IGNORE_RESULT = False
_CACHE_URL = _redis_db(_REDIS_URL, int(os.environ.get("TEST_CACHE_REDIS_DB", "14")))
# The shared cache in a database of its own next to the tests' broker (each test clears it).
CACHES = {  # noqa: F405
    **CACHES,  # noqa: F405
    "default": {**CACHES["default"], "LOCATION": _CACHE_URL},  # noqa: F405
    "throttle": {**CACHES["throttle"], "LOCATION": REDIS_URL},  # noqa: F405
}

# Hashing passwords at full strength costs seconds per test for nothing we assert.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is missing)
# Close each request's connection (the live server's thread would otherwise keep one open and
# block dropping the test database at the end).
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
