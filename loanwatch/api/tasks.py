from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="loanwatch.api.tasks.api_calls_forget")
def api_calls_forget() -> int:
    """Nightly: the record of API calls keeps API_CALLS_KEEP_DAYS days."""
    return services.calls_forget_old()
