"""A backup taken, data lost, the backup restored: the data and the uploads are back. A restore
names the database it replaces and goes on only when that name is given back."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from loanwatch.accounts.models import Team


def _database(settings) -> dict:
    db = settings.DATABASES["default"]
    return {"name": db["NAME"], "where": f"{db['NAME']} on {db['HOST']}:{db['PORT']}"}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_and_restore_round_trip(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "evidence").mkdir(parents=True)
    (tmp_path / "media" / "evidence" / "statement.pdf").write_bytes(b"%PDF-1.7 bank statement")
    Team.objects.create(code="BK-1", name="备份测试团队")

    call_command("backup", str(tmp_path / "backup"))
    Team.objects.filter(code="BK-1").delete()
    (tmp_path / "media" / "evidence" / "statement.pdf").unlink()

    out = StringIO()
    call_command("restore", str(tmp_path / "backup"), confirm=_database(settings)["name"],
                 stdout=out)
    assert f"database {_database(settings)['where']}" in out.getvalue()
    assert Team.objects.get(code="BK-1").name == "备份测试团队"
    restored = tmp_path / "media" / "evidence" / "statement.pdf"
    assert restored.read_bytes() == b"%PDF-1.7 bank statement"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_replaces_nothing_until_the_databases_name_is_given_back(tmp_path, settings,
                                                                         monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("backup", str(tmp_path / "backup"))
    Team.objects.create(code="BK-2", name="备份之后新建的团队")
    name = _database(settings)["name"]

    # A script naming another database (say, the one it meant to restore) is refused.
    with pytest.raises(CommandError, match="Nothing restored"):
        call_command("restore", str(tmp_path / "backup"), confirm="loanwatch_other",
                     stdout=StringIO())
    # Asked in a terminal: the prompt names the database; a "y" or a wrong name is refused.
    prompts = []
    for answer in ("y", f"{name}x", ""):
        monkeypatch.setattr("builtins.input",
                            lambda prompt, answer=answer: prompts.append(prompt) or answer)
        out = StringIO()
        with pytest.raises(CommandError, match="Nothing restored"):
            call_command("restore", str(tmp_path / "backup"), stdout=out)
        assert f"ALL data of the database {_database(settings)['where']}" in out.getvalue()
    assert all(name in prompt for prompt in prompts)
    assert Team.objects.filter(code="BK-2").exists()  # nothing was replaced

    monkeypatch.setattr("builtins.input", lambda prompt: f" {name} ")
    call_command("restore", str(tmp_path / "backup"), stdout=StringIO())
    assert not Team.objects.filter(code="BK-2").exists()  # now it was


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked for nothing"))
    with pytest.raises(FileNotFoundError):
        call_command("restore", str(tmp_path))
