"""Reading an export the way a user gets it: an officer's at once, a team's or the bank's
through its export job, run here as the worker runs it."""

from __future__ import annotations

from django.urls import resolve, reverse

from customers import export_jobs


def download(client, url: str, **extra) -> bytes:
    response = client.get(url, **extra)
    if response.status_code == 302:
        match = resolve(response.url)
        assert match.url_name == "export_job", response.url
        export_jobs.export_run(job_id=match.kwargs["pk"])
        response = client.get(reverse("customers:export_download", args=[match.kwargs["pk"]]))
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)
