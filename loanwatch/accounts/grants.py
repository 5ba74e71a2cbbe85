"""Grant model permissions to role groups from data migrations.

Django creates permissions only after all migrations have run, so a migration that wants to grant
them creates the rows itself (with the same codename and content type Django would use; Django's
own pass then finds them and skips them).
"""

from __future__ import annotations


def grant(apps, role: str, app_label: str, codenames: list[str]) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=role)
    for codename in codenames:
        action, model = codename.split("_", 1)
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        verbose = apps.get_model(app_label, model)._meta.verbose_name_raw
        permission, _ = Permission.objects.get_or_create(
            codename=codename,
            content_type=content_type,
            defaults={"name": f"Can {action} {verbose}"},
        )
        group.permissions.add(permission)
