"""Production configuration: check --deploy is clean, docker-compose names what the app needs."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from loanwatch.local_secret import local_secret_key

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = {"web", "worker", "beat"}
REQUIRED_VARIABLES = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG",
                      "TIME_ZONE", "EMAIL_URL", "HTTPS"}


def settings_variables() -> set[str]:
    source = (ROOT / "loanwatch" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))


def test_check_deploy_is_clean_with_production_environment():
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "loanwatch.bank.example",
        "HTTPS": "true",
        "DATABASE_URL": "postgres://loanwatch@db.bank.example:5432/loanwatch",
        "REDIS_URL": "redis://redis.bank.example:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    # Production names its own database; only the embedded local set-up keeps a key of its own.
    env = {"PATH": os.environ["PATH"], "DEBUG": "false",
           "DATABASE_URL": "postgres://loanwatch@db.example.internal/loanwatch"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_service(compose):
    services = set(compose["services"])
    assert {"postgres", "redis"} | APP_SERVICES <= services
    assert compose["services"]["beat"]["deploy"]["replicas"] == 1
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert "healthcheck" in compose["services"][name], name
    assert {"pgdata", "redisdata"} <= set(compose["volumes"])


def test_beat_keeps_its_schedule_state_on_a_volume_and_every_service_restarts(compose):
    beat = compose["services"]["beat"]
    schedule = next(arg for arg in beat["command"] if arg.startswith("--schedule="))
    folder = schedule.split("=", 1)[1].rsplit("/", 1)[0]
    assert any(volume.endswith(":" + folder) for volume in beat["volumes"])
    for name, service in compose["services"].items():
        if name != "migrate":
            assert service.get("restart") == "unless-stopped", name


def test_compose_gives_the_app_every_variable_it_needs(compose):
    for name in APP_SERVICES:
        environment = compose["services"][name]["environment"]
        assert set(environment) >= REQUIRED_VARIABLES, name
        assert "redis:6379" in environment["REDIS_URL"]
        assert "@postgres:5432" in environment["DATABASE_URL"]


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(v for v in settings_variables() if f"`{v}`" not in readme)
    assert not undocumented, f"settings read from the environment but not in README: {undocumented}"


@pytest.mark.skipif(shutil.which("docker-compose") is None,
                    reason="docker-compose is not installed (.ci/run installs it)")
def test_compose_file_validates():
    result = subprocess.run(["docker-compose", "config", "-q"], cwd=ROOT, capture_output=True,
                            text=True, env={**os.environ, "SECRET_KEY": "x"}, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_local_set_up_keeps_one_key_with_its_data(tmp_path):
    path = tmp_path / "data" / "secret_key"
    key = local_secret_key(path)
    assert len(key) >= 50
    # Every later process (web, worker, beat, manage.py) signs with the same key.
    assert local_secret_key(path) == key
    assert path.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no draft left behind
