"""Small child lists carried in their parent's query as JSON, and read back as model instances.

A prefetch costs a round trip and a planning of its own; a list of a few rows per parent (a
check's findings, a collateral item's valuations) rides along in the parent's row instead, as an
array of JSON objects built by a correlated subquery. The instances made from it hold only the
fields named: any other field is deferred, so reading one by mistake costs a query (and the
pinned query counts notice) rather than showing a wrong value.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.contrib.postgres.expressions import ArraySubquery
from django.db import models
from django.db.models import CharField, F, QuerySet
from django.db.models.functions import Cast, JSONObject

_M = TypeVar("_M", bound=models.Model)

# Text keeps a decimal exact; a JSON number would come back as a float.
_AS_TEXT = (models.DecimalField,)


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def json_object(model: type[models.Model], fields: Sequence[str],
                related: Mapping[str, Sequence[str]] | None = None,
                extra: dict | None = None) -> JSONObject:
    """One row of `model` as a JSON object: `fields` (by name), the `related` rows' fields under
    "<relation>__<field>", and `extra` expressions under their own keys."""
    if not extra:
        pairs = tuple((name, tuple(names)) for name, names in (related or {}).items())
        return _cached_object(model, tuple(fields), pairs)
    return _build_object(model, fields, related, extra)


# Building the expression of a row with twenty fields costs Django about a millisecond;
# resolving it into a query copies it, so one built object serves every request.
@functools.cache
def _cached_object(model: type[models.Model], fields: tuple[str, ...],
                   related: tuple[tuple[str, tuple[str, ...]], ...]) -> JSONObject:
    return _build_object(model, fields, dict(related), None)


def _build_object(model: type[models.Model], fields: Sequence[str],
                  related: Mapping[str, Sequence[str]] | None,
                  extra: dict | None) -> JSONObject:
    parts = {}
    columns = [(_field(model, name).attname, _field(model, name)) for name in fields]
    for relation, names in (related or {}).items():
        target = _field(model, relation).related_model
        columns += [(f"{relation}__{_field(target, name).attname}", _field(target, name))
                    for name in names]
    for path, field in columns:
        parts[path] = Cast(path, CharField()) if isinstance(field, _AS_TEXT) else F(path)
    parts.update(extra or {})
    return JSONObject(**parts)


def json_rows(queryset: QuerySet, fields: Sequence[str],
              related: Mapping[str, Sequence[str]] | None = None,
              extra: dict | None = None) -> ArraySubquery:
    """The rows of `queryset` (usually filtered on an OuterRef), in its order, as an array of
    JSON objects, for an annotation of the parent's query."""
    return ArraySubquery(queryset.values(
        json=json_object(queryset.model, fields, related, extra)))


def instance(model: type[_M], data: dict[str, Any], related: Iterable[str] = ()) -> _M:
    """A model instance, as if loaded from the database, from one object of `json_rows`; the
    `related` rows become the cached objects of their foreign keys."""
    own = {key: value for key, value in data.items() if "__" not in key}
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.attname in own:
            names.append(field.attname)
            value = own[field.attname]
            values.append(None if value is None else field.to_python(value))
    obj = model.from_db("default", names, values)
    for relation in related:
        field = _field(model, relation)
        prefix = relation + "__"
        rest = {key[len(prefix):]: value for key, value in data.items()
                if key.startswith(prefix)}
        target = field.related_model
        pk = rest.get(target._meta.pk.attname)
        field.set_cached_value(obj, None if pk is None else instance(target, rest))
    return obj


def instances(model: type[_M], rows: Iterable[dict[str, Any]] | None,
              related: Iterable[str] = ()) -> list[_M]:
    return [instance(model, data, related) for data in rows or ()]


def set_prefetched(obj: models.Model, name: str, rows: list) -> None:
    """Fill a related manager's cache as prefetch_related does (`obj.<name>.all()` then reads
    `rows`), for rows read by another query or carried as JSON."""
    manager = getattr(obj, name)
    cache_name = (getattr(manager, "prefetch_cache_name", None)  # many-to-many
                  or manager.field.remote_field.cache_name)  # reverse foreign key
    queryset = manager.get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    obj.__dict__.setdefault("_prefetched_objects_cache", {})[cache_name] = queryset
