"""Bulk writes for imports: many rows and their history in a few statements, on SQLite and PostgreSQL.

Django's `bulk_create` prepares every value of every row through the field's conversion chain and
builds a model instance for every history row: at ten thousand rows with history, seconds of Python.
Here values of plain columns go to the driver as they are, the others through the same adapters
Django uses (`connection.ops.adapt_*`, or the field's own `get_db_prep_save` for custom fields), and
history rows are written as rows, not instances. Ids come back with `INSERT … RETURNING`, in VALUES
order, as Django's own bulk_create assumes on both databases.
"""

from __future__ import annotations

import gc
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain

from django.db import connections, models, router

# Column types the drivers take as Python gives them.
_PLAIN = {
    "AutoField", "BigAutoField", "SmallAutoField", "CharField", "TextField", "SlugField", "EmailField", "URLField",
    "IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField", "BooleanField", "ForeignKey", "OneToOneField",
}


def _converter(field: models.Field, connection, *, copy: bool = False) -> Callable | None:
    """How a value of `field` becomes a driver value; None: as it is. `copy`: for PostgreSQL's COPY."""
    if field.remote_field is not None and field.concrete:
        target = field.target_field
        return None if type(target).__module__.startswith("django.") and target.get_internal_type() in _PLAIN else (
            lambda value, t=target: t.get_db_prep_save(value, connection))
    if hasattr(field, "bulk_db_value"):
        return field.bulk_db_value  # a custom field's fast path (MoneyField)
    kind = field.get_internal_type()
    if not type(field).__module__.startswith("django."):
        if isinstance(field, models.TextField | models.CharField) and _django_prep(field):
            # A text field of our own that prepares values as Django's do (LimitedTextField): text as it is.
            return lambda value, f=field: value if type(value) is str else f.get_db_prep_save(value, connection)
        return lambda value, f=field: f.get_db_prep_save(value, connection)  # other custom fields
    if kind in _PLAIN:
        return None
    if connection.vendor == "postgresql" and kind in ("DateField", "DateTimeField", "TimeField"):
        return None  # psycopg takes them as they are (Django's adapt_*field_value hand them through there)
    if kind == "DateField":
        return connection.ops.adapt_datefield_value
    if kind == "DateTimeField":
        seen: dict = {}  # a bulk write stamps most rows with the same moment

        def adapt(value, seen=seen, adapt=connection.ops.adapt_datetimefield_value):
            if value not in seen:
                seen[value] = adapt(value)
            return seen[value]

        return adapt
    if kind == "DecimalField":
        return lambda value, f=field: connection.ops.adapt_decimalfield_value(value, f.max_digits, f.decimal_places)
    if kind == "JSONField" and (copy or connection.vendor == "sqlite"):
        # The JSON text Django's adapters write (SQLite stores it as it is; on PostgreSQL COPY reads jsonb
        # from it as psycopg's Jsonb wrapper would send it), without building a wrapper per row.
        def json_text(value, f=field, dumps=json.dumps):
            if type(value) in (list, dict, str, int, float, bool):
                return dumps(value, cls=f.encoder)
            return f.get_db_prep_save(value, connection)  # expressions, and anything unusual

        return json_text
    return lambda value, f=field: f.get_db_prep_save(value, connection)


def _django_prep(field: models.Field) -> bool:
    """Whether `field` prepares values for the database with Django's own methods (none overridden)."""
    return all(getattr(type(field), name).__module__.startswith("django.")
               for name in ("get_prep_value", "get_db_prep_value", "get_db_prep_save", "pre_save"))


@contextmanager
def paused_gc():
    """Python's cyclic garbage collector off for the block (a context manager and a decorator).

    A bulk import keeps a few hundred thousand objects alive at once (cells, rows, their values, the
    records to write). Every few thousand new objects the collector walks the generations, and now and
    then all of them, looking for reference cycles an import does not make: half a second of a
    10,000-row import. Memory is still freed as usual (reference counting); cycles left, if any, go at
    the first collection after the block. Nested and concurrent blocks leave the collector on when the
    first of them that found it on ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _using(model) -> str:
    return router.db_for_write(model)


def allocate_ids(model, count: int) -> list[int]:
    """`count` new primary keys for `model`, reserved for this transaction.

    PostgreSQL draws them from the column's sequence. SQLite continues after the highest id used
    (AUTOINCREMENT's record included); Tuijin's SQLite transactions begin IMMEDIATE, so no other
    writer can take them before this transaction ends.
    """
    if count <= 0:
        return []
    alias = _using(model)
    connection = connections[alias]
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence's name in a subquery, looked up once: as nextval's argument it would be
            # looked up again for every id (ten times the cost of the nextval calls themselves).
            cursor.execute("SELECT nextval((SELECT pg_get_serial_sequence(%s, %s))::regclass) FROM generate_series(1, %s)",
                           [table, pk, count])
            return [row[0] for row in cursor.fetchall()]
        if not connection.in_atomic_block:
            raise RuntimeError("allocate_ids needs a transaction (transaction.atomic)")
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(pk)}) FROM {connection.ops.quote_name(table)}")
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
        if cursor.fetchone():
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            highest = max(highest, row[0] if row else 0)
    return list(range(highest + 1, highest + 1 + count))


def _driver_values(converters: Sequence[Callable | None], rows: Iterable[Sequence]) -> Iterator[list]:
    """`rows` as lists of driver values, one by one: only the columns with a converter are touched, and
    None stays None."""
    converting = [(i, convert) for i, convert in enumerate(converters) if convert is not None]
    for row in rows:
        row = list(row)
        for i, convert in converting:
            if row[i] is not None:
                row[i] = convert(row[i])
        yield row


def insert_rows(model, columns: Sequence[models.Field], rows: Iterable[Sequence]) -> int:
    """INSERT `rows` (values in `columns` order, Python values) into `model`'s table: COPY on PostgreSQL,
    one prepared statement run for every row (executemany) on SQLite. Returns the number of rows."""
    alias = _using(model)
    connection = connections[alias]
    values = _driver_values([_converter(f, connection, copy=True) for f in columns], rows)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    first = next(values, None)
    if first is None:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # one prepared statement stepped per row: SQLite's fastest
            params = [first, *values]
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", params)
            return len(params)
        # PostgreSQL: COPY, the bulk load path. (An INSERT per row, or many rows per INSERT, has every
        # value quoted in Python by Django's client-side binding: seconds at 10,000 rows.) Rows are
        # converted as they are sent, so the server stores the first ones while Python prepares the rest.
        count = 0
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in chain([first], values):
                copy.write_row(row)
                count += 1
        return count


def create_objects(model, objs: list[models.Model]) -> None:
    """Insert unsaved instances (their pk None) and set their pks."""
    if not objs:
        return
    columns = list(model._meta.concrete_fields)
    auto = [f for f in columns if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj in objs:  # what Model.save would fill in: auto_now(_add) dates not set by the caller
        for field in auto:
            if getattr(obj, field.attname) is None:
                field.pre_save(obj, add=True)
    for obj, pk in zip(objs, allocate_ids(model, len(objs)), strict=True):
        obj.pk = pk
    insert_rows(model, columns, ([getattr(obj, f.attname) for f in columns] for obj in objs))
    alias = _using(model)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias


def add_objects(model, objs: list[models.Model]) -> None:
    """Insert unsaved instances whose new ids nobody needs (events, log rows): one statement for any
    number (bulk_create splits them into batches within SQLite's parameter limit); their pks stay None."""
    if not objs:
        return
    columns = [f for f in model._meta.concrete_fields if not f.primary_key]
    auto = [f for f in columns if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    for obj in objs:
        for field in auto:
            if getattr(obj, field.attname) is None:
                field.pre_save(obj, add=True)
    insert_rows(model, columns, ([getattr(obj, f.attname) for f in columns] for obj in objs))


def create_rows(model, rows: list[dict]) -> None:
    """Insert rows given as {attname: value} (no model instances: cheaper by thousands); fields left
    out take their defaults; each dict gets its new pk under the pk's attname."""
    if not rows:
        return
    columns = list(model._meta.concrete_fields)
    pk = model._meta.pk.attname
    fixed = {f.attname: f.get_default() for f in columns if not (f.has_default() and callable(f.default))}
    per_row = [f for f in columns if f.has_default() and callable(f.default)]  # e.g. uuid4: one each
    values = operator.itemgetter(*[f.attname for f in columns])  # (a model has an id and a column at least)

    def filled():  # each row completed as it is written (so that create_history sees the defaults too)
        for row, new_id in zip(rows, allocate_ids(model, len(rows)), strict=True):
            row[pk] = new_id
            for field in per_row:
                if field.attname not in row:
                    row[field.attname] = field.get_default()
            try:
                line = values(row)
            except KeyError:  # columns left out (most callers give every column: no set to build then)
                for name in fixed.keys() - row.keys():
                    row[name] = fixed[name]
                line = values(row)
            yield line

    insert_rows(model, columns, filled())


FEW_UPDATES = 20  # up to this many rows, PostgreSQL gets plain UPDATEs (see update_objects)


def update_objects(model, objs: list[models.Model], fields: Sequence[str]) -> None:
    """UPDATE `fields` of saved instances (or _Record-like objects with attributes and a pk). SQLite: one
    prepared statement run for every row (executemany). PostgreSQL: the new values are copied into a
    temporary table and applied in one UPDATE … FROM (an UPDATE per row costs a statement's round of
    parsing, planning and locking each: 0.15 s for a thousand projects) — except for a few rows (a
    single report's save: its row, its year's figures, its plan), where creating and dropping the
    temporary table costs more than the UPDATEs, sent in one pipeline by executemany."""
    if not objs:
        return
    alias = _using(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name) for name in fields]
    copying = connection.vendor == "postgresql" and len(objs) > FEW_UPDATES
    converters = [_converter(f, connection, copy=copying) for f in columns] + [None]  # the pk last, for WHERE
    params = list(_driver_values(converters, ([getattr(obj, f.attname) for f in columns] + [obj.pk] for obj in objs)))
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        if not copying:
            sets = ", ".join(f"{quote(f.column)} = %s" for f in columns)
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", params)
            return
        names = [quote(f.column) for f in columns]
        cursor.execute(f"CREATE TEMPORARY TABLE tuijin_bulk_update ON COMMIT DROP AS "
                       f"SELECT {', '.join(names)}, {pk} FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY tuijin_bulk_update ({', '.join(names)}, {pk}) FROM STDIN") as copy:
            for row in params:
                copy.write_row(row)
        sets = ", ".join(f"{name} = u.{name}" for name in names)
        cursor.execute(f"UPDATE {table} t SET {sets} FROM tuijin_bulk_update u WHERE t.{pk} = u.{pk}")
        cursor.execute("DROP TABLE tuijin_bulk_update")


def create_history(model, objs: list, *, history_type: str, user, reason: str, when) -> None:
    """django-simple-history rows for `objs` (instances, or dicts as create_rows takes) as they are now
    ("+" created, "~" changed, "-" deleted): who, when and why, with every tracked field.

    Not simple-history's `bulk_history_create`: that builds a historical instance per row and sends it
    through `bulk_create`, about 9 times slower (10,000 projects: 11 s against 1.2-1.8 s on SQLite,
    7 s against 0.9 s on PostgreSQL; figures in copy_to_history), and has no "-" for rows about to go.
    """
    history = model.history.model
    columns = [f for f in history._meta.concrete_fields if not f.primary_key]
    user_id = getattr(user, "pk", None)
    special = {"history_date": when, "history_change_reason": reason or None, "history_type": history_type,
               "history_user_id": user_id}

    def row(obj):
        values = []
        get = obj.get if isinstance(obj, dict) else lambda name: getattr(obj, name)
        for field in columns:
            if field.attname in special:
                values.append(special[field.attname])
            else:
                values.append(get(field.attname))
        return values

    names = {f.attname for f in columns}
    unknown = names - set(special) - {f.attname for f in model._meta.concrete_fields}
    if unknown:
        raise RuntimeError(f"{history._meta.label}: cannot fill {sorted(unknown)}")
    insert_rows(history, columns, (row(obj) for obj in objs))
    pk = model._meta.pk.attname
    _history_written(model, [obj[pk] if isinstance(obj, dict) else getattr(obj, pk) for obj in objs],
                     history_type, user, reason, when)


def _history_written(model, ids, history_type, user, reason, when) -> None:
    """Tell the audit trail (core.signals.history_bulk_written) of history rows written in bulk."""
    from .signals import history_bulk_written

    if ids:
        history_bulk_written.send(sender=model, model=model, object_ids=list(ids), history_type=history_type,
                                  user=user, reason=reason, when=when)


def copy_to_history(model, ids: Sequence[int], *, history_type: str, user, reason: str, when) -> None:
    """django-simple-history rows for the rows `ids` of `model` as they are stored now: one
    INSERT … SELECT per few thousand ids, so the history holds exactly what the table holds and no
    row passes through Python. "+" after creating, "~" after changing, "-" before deleting.

    Why not django-simple-history's own bulk helper (`bulk_create_with_history`, `bulk_update_with_history`,
    `HistoricalRecords`' manager `bulk_history_create`)? It builds a historical model instance per row and
    writes them with `bulk_create`. Measured on this machine (2 shared cores, December 2026) for 10,000
    projects, three runs each:

    ===================================================  ==============  ==============
    way                                                  SQLite          PostgreSQL
    ===================================================  ==============  ==============
    copy_to_history (this function)                      0.15-0.22 s     0.28-0.33 s
    create_history (rows from Python values)             1.2-1.8 s       0.8-1.0 s
    bulk_history_create, the instances already in hand   10.0-11.3 s     6.1-8.6 s
    the same after loading the instances by id           11.4-12.8 s     6.8-8.8 s
    ===================================================  ==============  ==============

    Forty to sixty times slower, it alone would spend several times the import's whole budget (the
    ledger import bench: 10,000 rows in ≤ 2 s), and it has no "-" (history of rows about to be deleted).
    The rows written here are the ones simple-history would write (tests/test_history.py,
    tests/test_bulk.py read them back through `Model.history`)."""
    if not ids:
        return
    history = model.history.model
    connection = connections[_using(model)]
    quote = connection.ops.quote_name
    source = {f.attname: f.column for f in model._meta.concrete_fields}
    special = {"history_date": when, "history_change_reason": reason or None, "history_type": history_type,
               "history_user_id": getattr(user, "pk", None)}
    columns, selected, params = [], [], []
    for field in history._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(field.column))
        if field.attname in special:
            converter = _converter(field, connection)
            value = special[field.attname]
            selected.append("%s")
            params.append(value if converter is None or value is None else converter(value))
        elif field.attname in source:
            selected.append(f"t.{quote(source[field.attname])}")
        else:
            raise RuntimeError(f"{history._meta.label}: no source for {field.attname}")
    pk = quote(model._meta.pk.column)
    head = (f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(selected)} FROM {quote(model._meta.db_table)} t WHERE t.{pk} IN ")
    ids = list(ids)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one array parameter, not thousands to quote
            cursor.execute(head[: -len(" IN ")] + f" = ANY({_id_array(model, connection)}) ORDER BY t.{pk}",
                           [*params, _array_text(ids)])
        else:
            for start in range(0, len(ids), 5000):
                chunk = ids[start:start + 5000]
                cursor.execute(head + "(" + ", ".join(["%s"] * len(chunk)) + f") ORDER BY t.{pk}", params + chunk)
    _history_written(model, ids, history_type, user, reason, when)


def _id_array(model, connection) -> str:
    """The placeholder of an array of `model`'s ids on PostgreSQL, given as _array_text."""
    return f"%s::{model._meta.pk.rel_db_type(connection)}[]"


def _array_text(ids: Sequence[int]) -> str:
    """Integers as PostgreSQL's array literal: psycopg's client-side binding quotes a list element by
    element in Python (ten thousand ids: tens of milliseconds), one string at once."""
    return "{" + ",".join(map(str, map(int, ids))) + "}"


def delete_rows(model, ids: Sequence[int]) -> None:
    """DELETE the rows `ids` of `model` without Django's collector and signals (call copy_to_history
    first: the signal handlers would write a history row per row, one by one)."""
    if not ids:
        return
    connection = connections[_using(model)]
    quote = connection.ops.quote_name
    head = f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)}"
    ids = list(ids)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(head + f" = ANY({_id_array(model, connection)})", [_array_text(ids)])
            return
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            cursor.execute(head + " IN (" + ", ".join(["%s"] * len(chunk)) + ")", chunk)
