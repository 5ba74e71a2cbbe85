"""Demo data: two teams, an admin, two supervisors and four officers, and what later features add.

Every step is idempotent (looked up by a natural key before it is created), so the run command
can load it on every start and a second load changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from loanwatch.accounts.models import Team, User
from loanwatch.accounts.passwords import DEMO_PASSWORD, DEMO_USERNAMES
from loanwatch.accounts.roles import Role
from loanwatch.core import hooks

__all__ = ["DEMO_PASSWORD", "DEMO_USERNAMES", "USERS", "load", "load_people"]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    team_code: str | None


TEAMS = [
    ("BJ-HD", "北京海淀支行贷后团队", "北京"),
    ("SH-PD", "上海浦东支行贷后团队", "上海"),
]

USERS = [
    DemoUser("admin", "系统管理员", Role.ADMIN, None),
    DemoUser("supervisor1", "王建国", Role.SUPERVISOR, "BJ-HD"),
    DemoUser("supervisor2", "陈丽华", Role.SUPERVISOR, "SH-PD"),
    DemoUser("officer1", "李明", Role.OFFICER, "BJ-HD"),
    DemoUser("officer2", "张伟", Role.OFFICER, "BJ-HD"),
    DemoUser("officer3", "刘洋", Role.OFFICER, "SH-PD"),
    DemoUser("officer4", "赵静", Role.OFFICER, "SH-PD"),
]


def load_people() -> dict[str, User]:
    teams = {}
    for code, name, region in TEAMS:
        teams[code], _ = Team.objects.get_or_create(
            code=code, defaults={"name": name, "region": region}
        )
    users = {}
    for spec in USERS:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(
                username=spec.username,
                full_name=spec.full_name,
                email=f"{spec.username}@loanwatch.example",
                team=teams.get(spec.team_code) if spec.team_code else None,
                role=spec.role,
                is_staff=spec.role == Role.ADMIN,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(Group.objects.get(name=spec.role.value))
        users[spec.username] = user
    return users


def load() -> dict[str, User]:
    """Load everything: the people, then each app's demo data ("demo_loaders" in
    loanwatch/devtools/hooks.py), in the order of INSTALLED_APPS."""
    with transaction.atomic():
        users = load_people()
        hooks.call("demo_loaders", users=users)
    return users
