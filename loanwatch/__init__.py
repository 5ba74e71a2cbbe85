from __future__ import annotations

# Load the Celery app with Django so that @shared_task binds to it and enqueuing works in web
# processes as well as in the worker.
from .celery import app as celery_app

__all__ = ["celery_app"]
