"""The SQLite registry's schema: older files are migrated on open, current ones left alone."""

from __future__ import annotations

import sqlite3

from wikibot.registry.sqlite import SCHEMA_VERSION, SqliteRegistry

# The first schema's users and wikis tables (before provider/subject, public, usage columns).
OLD_SCHEMA = """
CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL DEFAULT '', name TEXT NOT NULL
    DEFAULT '', created_at TEXT NOT NULL);
CREATE TABLE wikis (owner TEXT NOT NULL, slug TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL, PRIMARY KEY (owner, slug));
INSERT INTO users VALUES ('alice', 'alice@example.com', 'Alice', '2026-01-01T00:00:00+00:00');
INSERT INTO wikis VALUES ('alice', 'notes', 'Notes', '2026-01-01T00:00:00+00:00');
"""


def columns(path, table: str) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


def test_a_file_from_an_older_wikibot_gains_the_new_columns_and_keeps_its_rows(tmp_path):
    path = tmp_path / "registry.db"
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
    registry = SqliteRegistry(path)
    assert {"provider", "subject"} <= columns(path, "users")
    assert {"public", "page_count", "bytes", "updated_at"} <= columns(path, "wikis")
    assert registry.get_wiki("alice", "notes").title == "Notes"
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_a_current_file_is_opened_without_schema_statements(tmp_path, monkeypatch):
    path = tmp_path / "registry.db"
    SqliteRegistry(path).close()
    statements: list[str] = []
    real_connect = sqlite3.connect

    def tracing_connect(*args, **kwargs):
        db = real_connect(*args, **kwargs)
        db.set_trace_callback(statements.append)
        return db

    monkeypatch.setattr(sqlite3, "connect", tracing_connect)
    SqliteRegistry(path).close()
    assert statements, "the trace saw nothing"
    schema_work = ("CREATE", "ALTER", "BEGIN")
    assert not [s for s in statements if s.lstrip().upper().startswith(schema_work)]
