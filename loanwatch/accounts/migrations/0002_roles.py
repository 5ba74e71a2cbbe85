"""Create the three role groups. Later migrations grant each group the permissions of new models."""

from __future__ import annotations

from django.db import migrations

ROLES = ("officer", "supervisor", "admin")


# What each role may do with users and teams; the other apps grant their own in their migrations.
GRANTS = {
    "officer": ["view_team"],
    "supervisor": ["view_team", "view_user"],
    "admin": ["view_team", "add_team", "change_team", "view_user", "add_user", "change_user"],
}


def create_roles(apps, schema_editor) -> None:
    from loanwatch.accounts.grants import grant

    for name in ROLES:
        grant(apps, name, "accounts", GRANTS[name])


def drop_roles(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, drop_roles)]
