"""Insert a row and the rows that point at it in one statement (PostgreSQL).

A check-in is stored with its audit line (and, when it needs the team, its
alert outbox row) in one transaction. Through the ORM on PostgreSQL that is
five round trips (BEGIN, three INSERTs, COMMIT); under load each costs the
web worker and the database about 0.1 ms of CPU, and on the 2-core reference
machine that CPU is what a submission waits for. PostgreSQL can do it in one:
data-modifying WITH clauses run as one statement, which is atomic on its
own, and a later clause reads the new row's id from an earlier one's
RETURNING.

The SQL of each INSERT is Django's own (its insert compiler, the same one
`Model.save` uses): the same columns, defaults and value conversions. Only
the references to the new row's id are written here, as sub-selects.
SQLite cannot put an INSERT inside WITH; there `insert_together` inserts the
rows one by one, by the same INSERTs, in a transaction, and so does
PostgreSQL with INSERT_TOGETHER_ONE_STATEMENT off (the off switch).

Each INSERT's text is kept once built (`_insert_sql` says why; off switch:
KEEP_INSERT_TEXT). Both lean on Django's insert compiler, an inner API: a
test checks the rows are the ones `save()` writes and the kept text is the
compiler's own, and another fails on a Django version this was not checked
with.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Field, ForeignKey, Model
from django.db.models.expressions import RawSQL
from django.db.models.sql import InsertQuery

FIRST = "first_row"  # the WITH name of the row the others point at


@dataclass(frozen=True)
class Dependent:
    """A row to insert with the first, and which of its fields hold the
    first row's id: `key_fields` its id as is (a foreign key), `text_fields`
    its id as text (a reference such as the audit log's)."""

    row: Model
    key_fields: tuple[str, ...] = ()
    text_fields: tuple[str, ...] = ()


def insert_together(first: Model, dependents: Sequence[Dependent], using: str = "default") -> None:
    """Insert `first`, then `dependents` with its id filled in: all or none.
    Every row gets its primary key and counts as saved, as after `save()`."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.INSERT_TOGETHER_ONE_STATEMENT:
        _insert_one_by_one(first, dependents, using)
        return
    statement, params = _together_sql(first, dependents, using)
    # Inside a caller's transaction, a savepoint keeps a refused insert (a
    # duplicate id, say) from spoiling the rest of it; alone, the one
    # statement is its own transaction and needs no BEGIN or COMMIT.
    savepoint = transaction.atomic(using=using) if connection.in_atomic_block else nullcontext()
    with savepoint, connection.cursor() as cursor:
        cursor.execute(statement, params)
        ids = cursor.fetchone()
    assert ids is not None  # the statement always returns its one row
    _mark_saved(first, ids[0], using)
    for dependent, pk in zip(dependents, ids[1:], strict=True):
        _point_at(first, dependent)
        _mark_saved(dependent.row, pk, using)


def _insert_one_by_one(first: Model, dependents: Sequence[Dependent], using: str) -> None:
    """Each row by the same INSERT as on PostgreSQL, returning its id, in one
    transaction. (Every database Django 6 supports can return from an INSERT;
    SQLite since 3.35, and Django needs 3.37.)"""
    with transaction.atomic(using=using):
        _insert_returning(first, using)
        for dependent in dependents:
            _point_at(first, dependent)
            _insert_returning(dependent.row, using)


def _insert_returning(row: Model, using: str) -> None:
    sql, params = _insert_sql(row, using)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        returned = cursor.fetchone()
    assert returned is not None  # an INSERT ... RETURNING of one row
    _mark_saved(row, returned[0], using)


def _point_at(first: Model, dependent: Dependent) -> None:
    """Fill in the saved first row (its id) where the dependent refers to it."""
    for name in dependent.key_fields:
        setattr(dependent.row, name, first)
    for name in dependent.text_fields:
        setattr(dependent.row, name, str(first.pk))


def _together_sql(
    first: Model, dependents: Sequence[Dependent], using: str
) -> tuple[str, list[Any]]:
    qn = connections[using].ops.quote_name
    pk = qn(str(first._meta.pk.column))
    new_id = _select(pk, qn(FIRST))
    names = [FIRST, *(f"row_{number}" for number in range(len(dependents)))]
    sql, params = _insert_sql(first, using)
    clauses = [f"{qn(FIRST)} AS ({sql})"]
    for name, dependent in zip(names[1:], dependents, strict=True):
        row = dependent.row
        for field in dependent.key_fields:
            setattr(row, _attname(row, field), RawSQL(new_id, ()))  # noqa: S611
        for field in dependent.text_fields:
            setattr(row, field, RawSQL(_select(f"CAST({pk} AS text)", qn(FIRST)), ()))  # noqa: S611
        sql, row_params = _insert_sql(row, using)
        clauses.append(f"{qn(name)} AS ({sql})")
        params += row_params
    ids = ", ".join(f"({_select(pk, qn(name))})" for name in names)
    return f"WITH {', '.join(clauses)} SELECT {ids}", params


def _attname(row: Model, name: str) -> str:
    """The attribute that holds a foreign key's value (`checkin_id`)."""
    field = row._meta.get_field(name)
    assert isinstance(field, ForeignKey), f"{name} is not a foreign key"
    return field.attname


def _select(column: str, name: str) -> str:
    """A sub-select of one column of a WITH clause: quoted names, no values."""
    return f"SELECT {column} FROM {name}"  # noqa: S608


def _insert_sql(row: Model, using: str) -> tuple[str, list[Any]]:
    """Django's INSERT for `row` (as `save()` builds it), returning its id.

    Building it through the insert compiler costs ~45 us a row, most of it
    on text that is the same every time. So the text is built by the
    compiler once per model (and per set of references to the first row)
    and kept; each row then only has its values converted, by the same
    field methods the compiler calls (`pre_save`, `get_db_prep_save`). A
    model or a value the kept text could not fit (a database default, a
    field with its own placeholder, an expression other than a reference)
    goes through the compiler every time, as does every row with
    KEEP_INSERT_TEXT off (benchmarks: docs/performance.md)."""
    model = type(row)
    if not settings.KEEP_INSERT_TEXT or not _fits_kept_text(model):
        return _compiled_insert(row, using)
    fields = _insert_fields(model)
    values = [field.pre_save(row, add=True) for field in fields]
    shape = _shape(values)
    if shape is None:
        return _compiled_insert(row, using)
    connection = connections[using]
    params = [
        field.get_db_prep_save(value, connection=connection)
        for field, value in zip(fields, values, strict=True)
        if not isinstance(value, RawSQL)
    ]
    kept = _KEPT.get((model, using, shape))
    if kept is None:
        sql, compiled = _compiled_insert(row, using)
        if [type(value) for value in compiled] != [type(value) for value in params]:
            return sql, compiled  # not the values the text expects: never kept
        kept = _KEPT[(model, using, shape)] = sql
    return kept, params


# (model, database, references) -> the INSERT's text; a handful of entries.
_KEPT: dict[tuple[type[Model], str, tuple[tuple[int, str], ...]], str] = {}


@functools.cache
def _insert_fields(model: type[Model]) -> tuple[Field[Any, Any], ...]:
    meta = model._meta
    return tuple(field for field in meta.local_concrete_fields if field is not meta.auto_field)


@functools.cache
def _fits_kept_text(model: type[Model]) -> bool:
    """No field whose placeholder or presence depends on its value."""
    return not any(
        field.has_db_default() or getattr(field, "get_placeholder_sql", None) is not None
        for field in _insert_fields(model)
    )


def _shape(values: list[Any]) -> tuple[tuple[int, str], ...] | None:
    """Where the values are references to the first row (a `RawSQL` with no
    parameters), and what each says; None if any other expression is there."""
    shape = []
    for position, value in enumerate(values):
        if hasattr(value, "resolve_expression"):
            if not isinstance(value, RawSQL) or value.params:
                return None
            shape.append((position, value.sql))
    return tuple(shape)


def _compiled_insert(row: Model, using: str) -> tuple[str, list[Any]]:
    """The INSERT as Django's insert compiler writes it, every time."""
    meta = row._meta
    query = InsertQuery(type(row))
    query.insert_values(list(_insert_fields(type(row))), [row])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = [meta.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)


def _mark_saved(row: Model, pk: object, using: str) -> None:
    row.pk = pk
    row._state.adding = False
    row._state.db = using
