"""The first row of a hand-written query as a model instance.

The busiest request there is (a check-in sent through the API) reads a
token's user, then the patient the URL names. Through the ORM, building
those two queries cost more CPU than the database spent running them, about
a quarter of a submission's (docs/performance.md); so they are written once
as SQL, and read here. Through `Model.objects.raw` each read would also work
out, on every call, which columns map to which fields and how to convert
them; here that is worked out once per model and database, and each value
goes through the same converters Django's own queries use.

Off switch: HAND_WRITTEN_READS (the callers then use the ORM). This leans on
Django's inner API (`from_db`, the backend's and fields' converters): a test
compares both ways field by field, and another fails on a Django version
this was not checked with.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Field, Model

Converter = Callable[[Any, Any, Any], Any]


def hand_written_reads() -> bool:
    """Whether the busiest reads go by hand-written SQL (HAND_WRITTEN_READS)."""
    return bool(settings.HAND_WRITTEN_READS)


def column_list(model: type[Model], using: str = "default", prefix: str = "") -> str:
    """The model's columns, quoted, in the order `first_as` reads them."""
    quote = connections[using].ops.quote_name
    return ", ".join(f"{prefix}{quote(str(field.column))}" for field in _fields(model))


def first_as[M: Model](
    model: type[M], sql: str, params: Sequence[Any], using: str = "default"
) -> tuple[M, tuple[Any, ...]] | None:
    """The first row `sql` returns, as a `model` instance, and the columns
    after the model's own; None when there is no row. The query must select
    `column_list(model)` first."""
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    instance = instance_from(model, row, using)
    assert instance is not None  # the query's own row always has its key
    return instance, tuple(row[len(_fields(model)) :])


def instance_from[M: Model](
    model: type[M], columns: Sequence[Any], using: str = "default"
) -> M | None:
    """A `model` instance from the first of `columns` (selected as
    `column_list(model)` gives them); None when its primary key is NULL,
    as for a row a LEFT JOIN did not find."""
    connection = connections[using]
    fields = _fields(model)
    values = []
    for field, value, converters in zip(
        fields, columns, _converters(model, connection.vendor, using), strict=False
    ):
        if field.primary_key and value is None:
            return None
        for convert in converters:
            value = convert(value, field.cached_col, connection)
        values.append(value)
    return model.from_db(using, _attnames(model), values)


@functools.cache
def _fields(model: type[Model]) -> tuple[Field[Any, Any], ...]:
    return tuple(model._meta.concrete_fields)


@functools.cache
def _attnames(model: type[Model]) -> tuple[str, ...]:
    return tuple(field.attname for field in _fields(model))


@functools.cache
def _converters(model: type[Model], vendor: str, using: str) -> list[list[Converter]]:
    """Per field: the backend's converters, then the field's (as Django's
    SQL compiler applies them)."""
    connection = connections[using]
    return [
        [
            *connection.ops.get_db_converters(field.cached_col),
            *field.get_db_converters(connection),
        ]
        for field in _fields(model)
    ]
