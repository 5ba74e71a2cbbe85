from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from loanwatch.accounts.models import Team, User
from loanwatch.accounts.roles import Role

TEST_PASSWORD = "correct-horse-battery"  # noqa: S105


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")
    email = factory.LazyAttribute(lambda u: f"{u.username}@bank.example")
    team = factory.SubFactory(TeamFactory)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    role = Role.OFFICER

    @factory.post_generation
    def role_group(self, create: bool, extracted, **kwargs) -> None:
        # The role's group carries its permissions, as services.user_create sets it.
        if create and self.role:
            self.groups.add(Group.objects.get(name=Role(self.role).value))
        if create:
            self.save()
