"""Evidence storage is chosen by configuration: a local folder by default, S3-compatible object
storage with EVIDENCE_STORAGE=s3 (read in a fresh interpreter, as a server would start)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Settings only: the S3 backend itself (django-storages) is an optional extra, not installed here.
SCRIPT = ("import json; from django.conf import settings; "
          "print(json.dumps({'storage': settings.STORAGES['evidence'], "
          "'max': settings.EVIDENCE_MAX_BYTES}, default=str))")


def _settings(**env) -> dict:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "loanwatch.settings",
                   "SECRET_KEY": "x" * 60, **env}
    for name in ("EVIDENCE_STORAGE", "EVIDENCE_MAX_MB"):
        if name not in env:
            environment.pop(name, None)
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=environment,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_local_storage_and_twenty_megabytes_by_default():
    found = _settings()
    assert found["storage"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert found["max"] == 20 * 1024 * 1024


def test_s3_by_configuration():
    found = _settings(EVIDENCE_STORAGE="s3", EVIDENCE_S3_BUCKET="bank-evidence",
                      EVIDENCE_S3_ENDPOINT_URL="https://minio.bank.example:9000",
                      EVIDENCE_MAX_MB="5")
    assert found["storage"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert found["storage"]["OPTIONS"]["bucket_name"] == "bank-evidence"
    assert found["storage"]["OPTIONS"]["endpoint_url"] == "https://minio.bank.example:9000"
    assert found["storage"]["OPTIONS"]["default_acl"] == "private"
    assert found["max"] == 5 * 1024 * 1024
