"""A synthetic portfolio at bank scale, for the benchmark (`manage.py generate_portfolio`).

Rows are written with PostgreSQL's COPY, table by table, never with a save() per row: the full
scale (100,000 customers, 250,000 loans and what hangs off them) takes minutes, not hours. The
same seed gives the same data. Generated rows are added beside whatever is there (the demo data,
an earlier generation) with identifiers of their own, so a second run adds another portfolio.

History triggers are switched off for the load, inside its transaction only: a bulk load of test
data is not a change anyone made, and writing an audit row per generated row would triple the
time. Each app that owns data has its part here (`generate/<app>.py`, a `generate(ctx)`
registered as "portfolio_generators" in loanwatch/devtools/hooks.py); they run in the order of
INSTALLED_APPS after the people and teams made here.
"""

from __future__ import annotations

import datetime
import io
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pgtrigger
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Max

from loanwatch.accounts.models import Team, User
from loanwatch.accounts.roles import Role
from loanwatch.core import hooks

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢"
            "宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰海燕文辉鹏晨宇浩然思远子涵"
CITIES = [("北京", "110108"), ("上海", "310115"), ("杭州", "330106"), ("南京", "320102"),
          ("苏州", "320505"), ("成都", "510107"), ("武汉", "420106"), ("西安", "610113"),
          ("广州", "440106"), ("深圳", "440305"), ("天津", "120101"), ("重庆", "500103")]
DISTRICTS = ["东城区", "西城区", "高新区", "经开区", "滨江区", "江北区", "城南区", "工业园区"]
ROADS = ["人民路", "解放路", "建设路", "中山路", "长江路", "科技路", "工业大道", "新华街"]


@dataclass
class Context:
    """What the parts share: the seed's random generator, the scale and the ids made so far."""

    customers: int
    seed: int
    today: datetime.date
    rng: random.Random
    out: object  # anything with write(str), e.g. a command's stdout
    teams: list[int] = field(default_factory=list)
    officers_by_team: dict[int, list[int]] = field(default_factory=dict)
    supervisors_by_team: dict[int, list[int]] = field(default_factory=dict)
    run_tag: str = ""
    # Filled by the parts, read by later ones.
    shared: dict = field(default_factory=dict)

    def person_name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(
            self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def address(self) -> tuple[str, str]:
        """(address, city code): the city code makes identifiers look local."""
        city, code = self.rng.choice(CITIES)
        return (f"{city}市{self.rng.choice(DISTRICTS)}{self.rng.choice(ROADS)}"
                f"{self.rng.randint(1, 999)}号", code)

    def day_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        span = max(0, (end - start).days)
        return start + datetime.timedelta(days=self.rng.randint(0, span))

    def say(self, text: str) -> None:
        self.out.write(text + "\n")


def next_id(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def reset_sequence(model) -> None:
    """After COPY with explicit ids the table's sequence must move past them."""
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608
            f"COALESCE((SELECT MAX({pk}) FROM {table}), 1))", [table, pk])


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | tuple):
        inner = ",".join('"' + str(v).replace('"', r"\"") + '"' for v in value)
        value = "{" + inner + "}"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace(
        "\r", "\\r")


def copy_rows(model_or_table, columns: Sequence[str], rows: Iterable[Sequence],
              chunk: int = 50_000) -> int:
    """COPY rows (tuples in `columns` order) into a model's table; returns the count."""
    table = model_or_table if isinstance(model_or_table, str) else model_or_table._meta.db_table
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    count = 0
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own cursor: Django's wrapper has no copy_expert
        for row in rows:
            buffer.write("\t".join(_copy_text(v) for v in row) + "\n")
            count += 1
            if count % chunk == 0:
                buffer.seek(0)
                raw.copy_expert(sql, buffer)
                buffer = io.StringIO()
        if buffer.tell():
            buffer.seek(0)
            raw.copy_expert(sql, buffer)
    return count


def _blank_for(field) -> object:
    """What a NOT NULL column the generator does not set holds: what a blank form saves."""
    if field.has_default():
        value = field.get_default()
        return value() if callable(value) else value
    internal = field.get_internal_type()
    if internal in ("CharField", "TextField", "EmailField", "SlugField", "URLField",
                    "FileField"):
        return ""
    if internal == "BooleanField":
        return False
    if internal == "ArrayField":
        return []
    if internal == "JSONField":
        return "{}"
    return 0


def copy_dicts(model, rows: list[dict]) -> int:
    """COPY rows given as {column attname: value}; NOT NULL columns a row leaves out get what
    a blank form would save, so a field added to the model later does not break the load."""
    if not rows:
        return 0
    fields = list(model._meta.concrete_fields)
    given = set().union(*(row.keys() for row in rows))
    # Every NOT NULL column gets its blank where a row leaves it out (rows may differ).
    fill = {f.attname: _blank_for(f) for f in fields if not f.null and not f.primary_key}
    chosen = [f for f in fields if f.attname in given or f.attname in fill]
    return copy_rows(model, [f.column for f in chosen],
                     ([row.get(f.attname, fill.get(f.attname)) for f in chosen] for row in rows))


def _ignore_history_triggers() -> None:
    """Switch pgtrigger-managed triggers (the audit history) off for this transaction only."""
    pgids = []
    for model, trigger in pgtrigger.registered():
        pgids += [trigger.get_pgid(model), f"{model._meta.db_table}:{trigger.get_pgid(model)}"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)",
                       ["{" + ",".join(pgids) + "}"])


def _people(ctx: Context) -> None:
    """Teams of ten officers with one supervisor each; fifty customers per officer."""
    officers = max(1, ctx.customers // 50)
    team_count = max(1, officers // 10)
    tag = ctx.run_tag
    team_id = next_id(Team)
    teams = [Team(id=team_id + i, code=f"G{tag}{i + 1:04d}", name=f"生成支行 {tag}{i + 1:04d}",
                  region=ctx.rng.choice(CITIES)[0]) for i in range(team_count)]
    Team.objects.bulk_create(teams)
    reset_sequence(Team)
    ctx.teams = [t.id for t in teams]

    user_id = next_id(User)
    unusable = make_password(None)  # generated people never sign in with a password
    users = []
    for i in range(officers):
        team = ctx.teams[i % team_count]
        users.append(User(id=user_id, username=f"gen{tag}-o{i + 1:05d}", password=unusable,
                          full_name=ctx.person_name(), team_id=team, role=Role.OFFICER))
        ctx.officers_by_team.setdefault(team, []).append(user_id)
        user_id += 1
    for i, team in enumerate(ctx.teams):
        users.append(User(id=user_id, username=f"gen{tag}-s{i + 1:04d}", password=unusable,
                          full_name=ctx.person_name(), team_id=team, role=Role.SUPERVISOR))
        ctx.supervisors_by_team[team] = [user_id]
        user_id += 1
    User.objects.bulk_create(users, batch_size=5000)
    reset_sequence(User)
    groups = {g.name: g.id for g in Group.objects.filter(name__in=[Role.OFFICER, Role.SUPERVISOR])}
    copy_rows(User.groups.through, ["user_id", "group_id"],
              ((u.id, groups[u.role]) for u in users if u.role in groups))
    ctx.say(f"teams {len(teams)}, officers {officers}, supervisors {len(ctx.teams)}")


def generate(*, customers: int, seed: int, out, today: datetime.date | None = None) -> Context:
    ctx = Context(customers=customers, seed=seed, today=today or datetime.date.today(),
                  rng=random.Random(seed), out=out)
    # A tag per run keeps usernames, codes and contract numbers unique across runs.
    ctx.run_tag = str(next_id(Team))
    with transaction.atomic():
        _ignore_history_triggers()
        _people(ctx)
        hooks.call("portfolio_generators", ctx=ctx)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, or the planner guesses on empty tables
    return ctx
