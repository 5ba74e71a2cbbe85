"""Commands act on the installation they belong to: every process of the embedded set-up finds
the same PostgreSQL and Redis (moved ports included) and the same key, without variables, and
never another installation's servers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings

from loanwatch import local_servers

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
EMBEDDED = not os.environ.get("DATABASE_URL") and not os.environ.get("REDIS_URL")
needs_embedded = pytest.mark.skipif(not EMBEDDED, reason="the tests run on external servers")


def _bare_env(**extra: str) -> dict[str, str]:
    """A shell as a newcomer opens it: none of the variables the commands would need."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TMPDIR"}}
    return {**keep, **extra}


def _settings_of(env: dict[str, str]) -> dict:
    code = ("import json; from loanwatch import settings as s; print(json.dumps({"
            "'db_port': s.DATABASES['default']['PORT'], 'db_name': s.DATABASES['default']['NAME'],"
            " 'redis': s.REDIS_URL, 'site': s.SITE_URL, 'key': s.SECRET_KEY,"
            " 'demo': s.DEMO_DATA}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# --- which ports -------------------------------------------------------------------------------


def test_a_port_comes_from_the_variable_then_the_record_then_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("LOANWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LOANWATCH_PG_PORT", raising=False)
    monkeypatch.delenv("LOANWATCH_REDIS_PORT", raising=False)
    assert (local_servers.port("postgres"), local_servers.port("redis")) == (55432, 56379)

    local_servers.record_port("postgres", 55599)
    local_servers.record_port("redis", 56599)
    assert (local_servers.port("postgres"), local_servers.port("redis")) == (55599, 56599)
    assert local_servers.postgres_url() == "postgres://postgres@127.0.0.1:55599/loanwatch"
    assert [p.name for p in tmp_path.iterdir()] == ["ports.json"]  # no draft left behind

    monkeypatch.setenv("LOANWATCH_PG_PORT", "55600")
    assert local_servers.port("postgres") == 55600
    monkeypatch.setenv("LOANWATCH_PG_PORT", "5432; DROP")
    with pytest.raises(ValueError, match="LOANWATCH_PG_PORT"):
        local_servers.port("postgres")


def test_a_damaged_record_falls_back_to_the_default(tmp_path, monkeypatch):
    monkeypatch.setenv("LOANWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("LOANWATCH_PG_PORT", raising=False)
    (tmp_path / "ports.json").write_text('{"postgres": ')
    assert local_servers.port("postgres") == 55432


def test_settings_take_the_recorded_ports_the_local_key_and_the_served_port(tmp_path):
    (tmp_path / "ports.json").write_text(json.dumps({"postgres": 55599, "redis": 56599}))
    found = _settings_of(_bare_env(LOANWATCH_DATA_DIR=str(tmp_path), PORT="8123"))
    assert found["db_port"] == 55599 and found["redis"] == "redis://127.0.0.1:56599/0"
    assert found["site"] == "http://127.0.0.1:8123"  # mail links to the port actually served
    assert found["key"] == (tmp_path / "secret_key").read_text().strip()
    assert found["demo"] is True

    moved = _settings_of(_bare_env(LOANWATCH_DATA_DIR=str(tmp_path), LOANWATCH_PG_PORT="55600",
                                   LOANWATCH_REDIS_PORT="56600"))
    assert moved["db_port"] == 55600 and moved["redis"] == "redis://127.0.0.1:56600/0"
    assert moved["site"] == "http://127.0.0.1:8000"


def test_a_named_database_is_used_as_it_is_and_gets_no_demo(tmp_path):
    found = _settings_of(_bare_env(
        LOANWATCH_DATA_DIR=str(tmp_path), SECRET_KEY="k" * 60, LOANWATCH_PG_PORT="55600",
        DATABASE_URL="postgres://loanwatch@db.bank.example:5432/loanwatch"))
    assert found["db_port"] == 5432 and found["demo"] is False
    assert not (tmp_path / "secret_key").exists()


# --- the servers actually reached --------------------------------------------------------------


@needs_embedded
def test_a_bare_manage_py_reaches_this_installations_servers():
    # Typed in a new terminal, without LOANWATCH_PG_PORT even when the ports were moved: the
    # ports recorded when services.py started the servers lead to this data folder's servers.
    code = ("from django.db import connection; from django.conf import settings; import redis;"
            "c = connection.cursor(); c.execute('SHOW data_directory');"
            "print('postgres', c.fetchone()[0]);"
            "print('redis', redis.Redis.from_url(settings.REDIS_URL).config_get('dir')['dir'])")
    env = _bare_env(**{k: v for k, v in os.environ.items() if k == "LOANWATCH_DATA_DIR"})
    result = subprocess.run([PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    found = dict(line.split(" ", 1) for line in result.stdout.splitlines()
                 if line.startswith(("postgres ", "redis ")))
    data = local_servers.data_dir()
    assert Path(found["postgres"]).resolve() == data / "postgres", result.stdout
    assert Path(found["redis"]).resolve() == data / "redis", result.stdout


@needs_embedded
def test_the_readmes_services_run_form_works_without_a_secret_key():
    ports = {"LOANWATCH_PG_PORT": str(django_settings.DATABASES["default"]["PORT"]),
             "LOANWATCH_REDIS_PORT": django_settings.REDIS_URL.rsplit(":", 1)[1].split("/")[0]}
    result = subprocess.run(
        [PYTHON, "scripts/services.py", "run", "--", PYTHON, "manage.py", "check",
         "--database", "default"],
        cwd=ROOT, env=_bare_env(**ports), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@needs_embedded
def test_another_installations_servers_are_neither_used_nor_stopped(tmp_path):
    # Another data folder pointed at this installation's ports: refused, and nothing stopped.
    ports = {"LOANWATCH_PG_PORT": str(django_settings.DATABASES["default"]["PORT"]),
             "LOANWATCH_REDIS_PORT": django_settings.REDIS_URL.rsplit(":", 1)[1].split("/")[0]}
    env = _bare_env(LOANWATCH_DATA_DIR=str(tmp_path), **ports)
    for action in ("status", "stop"):
        result = subprocess.run([PYTHON, "scripts/services.py", action], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        assert "not this installation's" in result.stderr
        assert "set LOANWATCH_" in result.stderr
    assert redis.Redis.from_url(django_settings.REDIS_URL).ping()


def test_make_run_restarts_a_crashed_part_and_stops_with_it(tmp_path):
    """A worker killed under `make run` comes back on its own; stopping everything stops it."""
    first, second = tmp_path / "first", tmp_path / "second"
    part = (f"if [ ! -f {first} ]; then touch {first}; exit 3; fi; "
            f"echo $$ > {second}; exec sleep 300")
    wrapper = subprocess.Popen([str(ROOT / "scripts" / "keep_running.sh"), "worker", "bash",
                                "-c", part], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        while not (second.exists() and second.read_text().strip()):
            assert time.monotonic() < deadline, "the crashed part was not started again"
            time.sleep(0.1)
    finally:
        wrapper.send_signal(signal.SIGTERM)
        assert wrapper.wait(timeout=10) == 0
    assert "worker stopped (exit code 3)" in wrapper.stderr.read()
    with pytest.raises(ProcessLookupError):  # the part did not outlive the wrapper
        os.kill(int(second.read_text()), 0)


def test_the_procfile_keeps_the_worker_and_beat_running():
    lines = dict(line.split(": ", 1) for line in
                 (ROOT / "Procfile").read_text().splitlines() if line.strip())
    for name in ("worker", "beat"):
        assert lines[name].startswith(f"scripts/keep_running.sh {name} "), name
