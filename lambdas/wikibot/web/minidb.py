"""A tiny stand-in for Flask-SQLAlchemy's `db`, enough for Otterwiki's four models.

Why: SQLAlchemy costs ~150 ms to import and `create_all` on every cold start, and Otterwiki uses
little of it: `Model.query.filter_by(...).first()/.all()/.delete()`, `filter(Model.col == x)`,
`db.and_`, `.like("prefix%")`, `order_by`, and `db.session.add/delete/commit`. Otterwiki's own
`otterwiki/models.py` runs unchanged on this `db`.

Where rows live (decided here, see docs in `wikibot.web.__init__`):
- `preferences` and `drafts`: per wiki, in `ui.json` beside the wiki's `repo.git`, written
  atomically on commit and re-read when another process changed it. No SQLite file is shared on
  EFS, and preferences and drafts survive cold starts and reach every Lambda instance.
- `cache` (Otterwiki's table-of-contents cache): per wiki, in this process only.
- `user`: in memory; the proxy-header auth of platform mode never reads it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from wikibot.files import write_private

PERSISTED = ("preferences", "drafts")

Condition = Callable[[Any], bool]


def _norm(value: Any) -> Any:
    """Compare datetimes across naive (local) and aware values, as SQLite would after binding."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.astimezone().astimezone(UTC)
    return value


class TypeDecorator:
    """Base of Otterwiki's `TimeStamp`; `process_bind_param` runs when a value is set."""

    impl: Any = None
    cache_ok = True

    def process_bind_param(self, value, dialect):  # pragma: no cover - overridden
        """Convert a value before it is stored."""
        return value


class _Type:
    def __init__(self, *args: Any, **kwargs: Any):
        pass


class DateTime(_Type):
    """Marks a datetime column (stored as ISO text in ui.json)."""


class Column:
    """A model attribute on instances, a condition builder on the class."""

    def __init__(self, type_: Any = None, primary_key=False, default=None, **_: Any):
        self.type = type_
        self.primary_key = primary_key
        self.default = default
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type) -> Any:
        if obj is None:
            return self
        return obj.__dict__.get(self.name, self.default)

    def __set__(self, obj: Any, value: Any) -> None:
        if isinstance(self.type, TypeDecorator) and value is not None:
            value = self.type.process_bind_param(value, None)
        obj.__dict__[self.name] = value

    @property
    def is_datetime(self) -> bool:
        """Whether values are datetimes (for JSON)."""
        return isinstance(self.type, (TypeDecorator, DateTime))

    def _op(self, test: Callable[[Any, Any], bool], other: Any) -> Condition:
        name, want = self.name, _norm(other)

        def cond(row: Any) -> bool:
            got = _norm(row.__dict__.get(name))
            return got is not None and test(got, want)

        return cond

    def __eq__(self, other: Any) -> Condition:  # type: ignore[override]
        name, want = self.name, _norm(other)
        return lambda row: _norm(row.__dict__.get(name)) == want

    def __ge__(self, other: Any) -> Condition:
        return self._op(lambda a, b: a >= b, other)

    def __gt__(self, other: Any) -> Condition:
        return self._op(lambda a, b: a > b, other)

    def __le__(self, other: Any) -> Condition:
        return self._op(lambda a, b: a <= b, other)

    def __lt__(self, other: Any) -> Condition:
        return self._op(lambda a, b: a < b, other)

    def like(self, pattern: str) -> Condition:
        """SQL LIKE with a trailing `%` (the only form Otterwiki uses)."""
        prefix = pattern.rstrip("%")
        exact = not pattern.endswith("%")
        return self._op(lambda a, b: a == prefix if exact else str(a).startswith(prefix), pattern)

    __hash__ = object.__hash__


class Query:
    """The subset of SQLAlchemy's legacy Query that Otterwiki calls."""

    def __init__(self, model: type, conditions: tuple[Condition, ...] = (), order=None):
        self.model = model
        self.conditions = conditions
        self.order = order

    def filter(self, *conditions: Condition) -> Query:
        """Rows matching every condition."""
        return Query(self.model, self.conditions + conditions, self.order)

    def filter_by(self, **values: Any) -> Query:
        """Rows whose columns equal the values."""
        cols = self.model.__columns__
        return self.filter(*(cols[k] == v for k, v in values.items()))

    def order_by(self, column: Column) -> Query:
        """Rows sorted by one column."""
        return Query(self.model, self.conditions, column)

    def all(self) -> list:
        """Copies of every matching row (changes land only through `db.session.add`)."""
        rows = [_copy(r) for r in _tables().rows(self.model) if all(c(r) for c in self.conditions)]
        if self.order is not None:
            name = self.order.name
            rows.sort(key=lambda r: (r.__dict__.get(name) is None, str(r.__dict__.get(name))))
        return rows

    def first(self) -> Any:
        """The first matching row, or None."""
        found = self.all()
        return found[0] if found else None

    def count(self) -> int:
        """How many rows match."""
        return len(self.all())

    def delete(self) -> int:
        """Remove the matching rows; returns how many."""
        found = self.all()
        for row in found:
            _tables().remove(row)
        return len(found)

    def __iter__(self):
        return iter(self.all())


def _copy(row: Any) -> Any:
    clone = type(row).__new__(type(row))
    clone.__dict__.update(row.__dict__)
    return clone


def _key(row: Any) -> Any:
    """The primary key value of a row (rows are matched by it, like an identity map)."""
    return row.__dict__.get(type(row).__primary__)


class _QueryProperty:
    def __get__(self, obj: Any, owner: type) -> Query:
        return Query(owner)


class Model:
    """Declarative base: collects `Column`s; `Model.query` starts a query."""

    __columns__: dict[str, Column] = {}
    __primary__ = ""
    __tablename__ = ""
    query = _QueryProperty()

    def __init__(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self, name, value)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__columns__ = {k: v for k, v in vars(cls).items() if isinstance(v, Column)}
        cls.__primary__ = next((k for k, v in cls.__columns__.items() if v.primary_key), "")
        if "__tablename__" not in vars(cls):
            cls.__tablename__ = cls.__name__.lower()
        _MODELS[cls.__tablename__] = cls


_MODELS: dict[str, type] = {}


class Tables:
    """The rows of one wiki; persisted tables live in `path` (ui.json), the rest in memory."""

    def __init__(self, path: Path | None):
        self.path = path
        self._rows: dict[str, list] = {}
        self._stamp: tuple[int, int] | None = None
        self._dirty = False

    def _refresh(self) -> None:
        """Re-read ui.json when another process replaced it (cheap `stat` otherwise)."""
        if self.path is None or self._dirty:
            return
        try:
            st = os.stat(self.path)
            stamp = (st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            stamp = None
        if stamp == self._stamp:
            return
        self._stamp = stamp
        data = json.loads(self.path.read_text()) if stamp else {}
        for table in PERSISTED:
            model = _MODELS.get(table)
            if model is not None:
                self._rows[table] = [_from_json(model, d) for d in data.get(table, [])]

    def rows(self, model: type) -> list:
        """The live list of one table's rows."""
        if model.__tablename__ in PERSISTED:
            self._refresh()
        return self._rows.setdefault(model.__tablename__, [])

    def add(self, row: Any) -> None:
        """Insert a row (or mark an updated one for the next commit)."""
        table = self.rows(type(row))
        if type(row).__primary__ == "id" and row.__dict__.get("id") is None:
            row.__dict__["id"] = max([r.__dict__.get("id") or 0 for r in table] + [0]) + 1
        key = _key(row)
        table[:] = [r for r in table if _key(r) != key] + [_copy(row)]
        self._dirty |= type(row).__tablename__ in PERSISTED

    def remove(self, row: Any) -> None:
        """Delete a row."""
        table = self.rows(type(row))
        table[:] = [r for r in table if _key(r) != _key(row)]
        self._dirty |= type(row).__tablename__ in PERSISTED

    def commit(self) -> None:
        """Write ui.json atomically when a persisted table changed."""
        if not self._dirty or self.path is None:
            self._dirty = False
            return
        data = {t: [_to_json(r) for r in self._rows.get(t, [])] for t in PERSISTED}
        write_private(self.path, json.dumps(data, indent=1, sort_keys=True).encode())
        st = os.stat(self.path)
        self._stamp = (st.st_mtime_ns, st.st_size)
        self._dirty = False

    def rollback(self) -> None:
        """Drop uncommitted changes of persisted tables (re-read on next use)."""
        self._dirty = False
        self._stamp = None


def _to_json(row: Any) -> dict:
    out = {}
    for name, col in type(row).__columns__.items():
        value = row.__dict__.get(name, col.default)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, bool) and name == "value":
            value = str(value)  # a preference row that Otterwiki's update_app_config converted
        out[name] = value
    return out


def _from_json(model: type, data: dict) -> Any:
    row = model.__new__(model)
    for name, col in model.__columns__.items():
        value = data.get(name, col.default)
        if col.is_datetime and isinstance(value, str):
            value = datetime.fromisoformat(value)
        row.__dict__[name] = value
    return row


_state = threading.local()
_memory = Tables(None)


def bind(tables: Tables | None) -> None:
    """Make `tables` the rows the models see in this thread (None: process memory)."""
    _state.tables = tables


def _tables() -> Tables:
    return getattr(_state, "tables", None) or _memory


class _Session:
    def add(self, row: Any) -> None:
        _tables().add(row)

    def delete(self, row: Any) -> None:
        _tables().remove(row)

    def commit(self) -> None:
        _tables().commit()

    def rollback(self) -> None:
        _tables().rollback()

    def remove(self) -> None:
        pass


def _all(*conditions: Condition) -> Condition:
    return lambda row: all(c(row) for c in conditions)


def _any(*conditions: Condition) -> Condition:
    return lambda row: any(c(row) for c in conditions)


def make_db() -> SimpleNamespace:
    """The `db` object Otterwiki's models and views use."""
    types = SimpleNamespace(TypeDecorator=TypeDecorator, DateTime=DateTime)
    return SimpleNamespace(
        Model=Model,
        Column=Column,
        String=_Type,
        Text=_Type,
        Integer=_Type,
        Boolean=_Type,
        DateTime=DateTime,
        types=types,
        session=_Session(),
        and_=_all,
        or_=_any,
        create_all=lambda: None,
    )
