"""Both languages complete: every catalogue entry translated, none left fuzzy, and every string
marked in the code present in a catalogue."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".venv", "node_modules", ".data"}


def catalogues() -> list[Path]:
    return sorted(p for p in ROOT.rglob("zh_Hans/LC_MESSAGES/django*.po")
                  if not SKIP & set(p.relative_to(ROOT).parts))


def entries(po: Path) -> list[tuple[str, str, bool]]:
    """(msgid, first msgstr, fuzzy) for every entry but the header."""
    result = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        lines = [ln for ln in block.splitlines() if not ln.startswith("#~")]
        fuzzy = any(ln.startswith("#,") and "fuzzy" in ln for ln in lines)
        text = "\n".join(ln for ln in lines if not ln.startswith("#"))
        msgid = "".join(re.findall(r'"(.*)"', text.split("msgstr")[0])) if "msgstr" in text else ""
        strs = re.findall(r'msgstr(?:\[0\])? ((?:".*"\n?)+)', text + "\n")
        msgstr = "".join(re.findall(r'"(.*)"', strs[0])) if strs else ""
        if msgid:
            result.append((msgid, msgstr, fuzzy))
    return result


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete(po):
    missing = [msgid for msgid, msgstr, fuzzy in entries(po) if not msgstr or fuzzy]
    assert not missing, f"untranslated or fuzzy in {po}: {missing[:10]}"


def test_there_is_a_project_catalogue():
    assert ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po" in catalogues()


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is not installed")
def test_every_marked_string_is_in_a_catalogue(tmp_path):
    """Extract the strings the code marks today and look each up in the catalogues."""
    known = {msgid for po in catalogues() for msgid, _, _ in entries(po)}
    sources = [p for p in ROOT.rglob("*") if p.suffix in {".py", ".html", ".txt"}
               and not SKIP & set(p.relative_to(ROOT).parts)
               and "tests" not in p.relative_to(ROOT).parts[:1]
               and "migrations" not in p.parts and p.is_file()]
    pot = tmp_path / "all.pot"
    subprocess.run(
        ["xgettext", "--from-code=UTF-8", "--language=Python", "--keyword=gettext_lazy",
         "--keyword=_", "--keyword=gettext", "--keyword=ngettext:1,2",
         "--keyword=ngettext_lazy:1,2", "--keyword=pgettext:1c,2", "--keyword=pgettext_lazy:1c,2",
         "-o", str(pot), *[str(p) for p in sources if p.suffix == ".py"]],
        check=True, capture_output=True,
    )
    marked = {msgid for msgid, _, _ in entries(pot)} if pot.exists() else set()
    missing = sorted(marked - known)
    assert not missing, f"marked in code but in no catalogue: {missing[:15]}"
