"""A backup taken, data lost, the backup restored: the data and the uploads are back."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from loanwatch.accounts.models import Team


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_and_restore_round_trip(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "evidence").mkdir(parents=True)
    (tmp_path / "media" / "evidence" / "statement.pdf").write_bytes(b"%PDF-1.7 bank statement")
    Team.objects.create(code="BK-1", name="备份测试团队")

    call_command("backup", str(tmp_path / "backup"))
    Team.objects.filter(code="BK-1").delete()
    (tmp_path / "media" / "evidence" / "statement.pdf").unlink()

    call_command("restore", str(tmp_path / "backup"), yes=True)
    assert Team.objects.get(code="BK-1").name == "备份测试团队"
    restored = tmp_path / "media" / "evidence" / "statement.pdf"
    assert restored.read_bytes() == b"%PDF-1.7 bank statement"


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    with pytest.raises(FileNotFoundError):
        call_command("restore", str(tmp_path), yes=True)
