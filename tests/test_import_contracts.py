"""The layers hold (`lint-imports` keeps every contract in pyproject.toml), and the contracts
bite: a core module that imports an app, or a container that imports its nested app, fails.

Each case runs against a copy of the packages in a temporary folder, so a failed run leaves no
stray module in the source tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("loanwatch", "customers", "visits", "reports")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("migrations", "templates", "static",
                                                      "locale", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _lint(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=folder,
                          capture_output=True, text=True, timeout=120, check=False)


def test_the_project_keeps_its_contracts(tmp_path):
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(("module", "text", "contract"), [
    ("loanwatch/core/leak.py", "from customers.models import Customer  # noqa\n",
     "Core, accounts and the API's infrastructure import no domain app"),
    ("loanwatch/api/leak.py", "from customers.models import Customer  # noqa\n",
     "Core, accounts and the API's infrastructure import no domain app"),
    ("customers/leak.py", "from customers.records import models  # noqa\n",
     "customers.records depends on customers, never the reverse"),
    ("visits/leak.py", "from visits.schedule.models import RevisitTask  # noqa\n",
     "visits.schedule depends on visits, never the reverse"),
    ("customers/leak.py", "from reports.models import RiskReport  # noqa\n",
     "Reports above visits above customers"),
])
def test_a_wrong_import_breaks_a_contract(tmp_path, module, text, contract):
    folder = _copy(tmp_path)
    (folder / module).write_text(text)
    result = _lint(folder)
    assert result.returncode != 0
    verdicts = [line for line in result.stdout.splitlines()
                if line.startswith(contract) and line.endswith(("KEPT", "BROKEN"))]
    assert verdicts and verdicts[0].endswith("BROKEN"), result.stdout
