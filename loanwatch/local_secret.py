"""The signing key of a local installation: the embedded set-up (no DATABASE_URL) keeps one key
beside its data, so that `make run`, every `manage.py` command and the worker sign alike without
anyone exporting a variable. Production names its database and must set SECRET_KEY itself."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def local_secret_key(path: Path) -> str:
    """The key stored at `path`, created on first use. Web, worker and beat may start at once:
    the key is written to a private file and linked into place, so exactly one creation wins and
    nobody reads a half-written key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_text(secrets.token_urlsafe(50) + "\n", encoding="utf-8")
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process created it first; its key is the one
        finally:
            draft.unlink()
    return path.read_text(encoding="utf-8").strip()
