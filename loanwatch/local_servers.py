"""Where the embedded PostgreSQL and Redis of a local installation answer.

`scripts/services.py` starts them and the settings connect to them; both ask this module, so
every process of one installation — `make run`, `make test`, a `manage.py` command typed later in
another terminal, with or without the variables — reaches the servers of the same data folder
and never whatever else answers on a default port. A port is, in this order:

1. `LOANWATCH_PG_PORT` / `LOANWATCH_REDIS_PORT` when set;
2. the port this data folder's server was last started on, which services.py records in
   `.data/ports.json` (a moved port is remembered, so later commands need no variable);
3. 55432 / 56379.

Used only while DATABASE_URL / REDIS_URL are unset. Imports nothing from Django: services.py
runs it before the settings can load.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_NAME = "loanwatch"
DEFAULT_PORTS = {"postgres": 55432, "redis": 56379}
PORT_VARIABLES = {"postgres": "LOANWATCH_PG_PORT", "redis": "LOANWATCH_REDIS_PORT"}


def data_dir() -> Path:
    """The folder holding this installation's servers, their recorded ports and its key."""
    return Path(os.environ.get("LOANWATCH_DATA_DIR") or ROOT / ".data").resolve()


def _ports_file() -> Path:
    return data_dir() / "ports.json"


def _recorded() -> dict[str, int]:
    try:
        recorded = json.loads(_ports_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(recorded, dict):
        return {}
    return {k: v for k, v in recorded.items() if isinstance(v, int)}


def port(server: str) -> int:
    """The port of `server` ("postgres" or "redis") for this installation."""
    variable = PORT_VARIABLES[server]
    value = os.environ.get(variable, "").strip()
    if value:
        if not value.isdigit() or not 0 < int(value) < 65536:
            raise ValueError(f"{variable} must be a port number, not {value!r}")
        return int(value)
    return _recorded().get(server) or DEFAULT_PORTS[server]


def record_port(server: str, number: int) -> None:
    """Remember the port `server` was started on, for commands run later without the variable.
    Written aside and moved into place, so a reader never sees half a file."""
    if _recorded().get(server) == number:
        return
    path = _ports_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    draft.write_text(json.dumps({**_recorded(), server: number}, indent=1) + "\n",
                     encoding="utf-8")
    os.replace(draft, path)


def postgres_url() -> str:
    return f"postgres://postgres@127.0.0.1:{port('postgres')}/{DATABASE_NAME}"


def redis_url() -> str:
    return f"redis://127.0.0.1:{port('redis')}/0"
