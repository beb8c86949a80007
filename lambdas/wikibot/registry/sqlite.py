"""SQLite registry adapter: the local (and single-machine) implementation of `Registry`.

Stdlib `sqlite3` only. Safe for several threads and processes on one file: WAL journal (readers
never block the writer), a busy timeout (writers queue instead of failing), one connection shared
under a lock, and every write in `BEGIN IMMEDIATE` so read-then-write sequences cannot interleave.
The file is created with mode 0600 (SQLite gives its -wal and -shm files the same mode).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from wikibot.errors import AlreadyExists, InvalidInput, NotFound
from wikibot.registry.base import Jwks, Member, Token, User, Wiki, validate_slug
from wikibot.registry.shortcuts import TokenShortcuts

SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    provider TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users (lower(email)) WHERE email <> '';
CREATE TABLE IF NOT EXISTS wikis (
    owner TEXT NOT NULL REFERENCES users (id),
    slug TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT,
    public INTEGER NOT NULL DEFAULT 0,
    page_count INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (owner, slug)
);
CREATE TABLE IF NOT EXISTS members (
    wiki_owner TEXT NOT NULL,
    wiki_slug TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    added_at TEXT NOT NULL,
    PRIMARY KEY (wiki_owner, wiki_slug, user_id),
    FOREIGN KEY (wiki_owner, wiki_slug) REFERENCES wikis (owner, slug) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS members_user ON members (user_id);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    wiki_owner TEXT NOT NULL,
    wiki_slug TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT,
    FOREIGN KEY (wiki_owner, wiki_slug) REFERENCES wikis (owner, slug) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS tokens_user ON tokens (user_id, created_at);
CREATE TABLE IF NOT EXISTS jwks (
    issuer TEXT PRIMARY KEY,
    keys TEXT NOT NULL DEFAULT '[]',
    fetched_at TEXT,
    refresh_claimed_at TEXT
)
"""
# Columns added after schema 1; a data folder made by an older wikibot gains them on open.
_ADDED_COLUMNS = {
    "users": {"provider": "TEXT NOT NULL DEFAULT ''", "subject": "TEXT NOT NULL DEFAULT ''"},
    "wikis": {
        "updated_at": "TEXT",
        "public": "INTEGER NOT NULL DEFAULT 0",
        "page_count": "INTEGER NOT NULL DEFAULT 0",
        "bytes": "INTEGER NOT NULL DEFAULT 0",
    },
}
_SUBJECT_INDEX = (
    "CREATE UNIQUE INDEX IF NOT EXISTS users_subject ON users (provider, subject)"
    " WHERE subject <> ''"
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _create_private(path: Path) -> None:
    """Create the database file with mode 0600 before SQLite opens it with the umask's mode."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


class SqliteRegistry(TokenShortcuts):
    """`Registry` over one SQLite file.

    Args:
        path: Database file; created (mode 0600, with its schema) if missing.
        token_key: Server secret for the `create_token`/`resolve_token` shortcuts (hashing is
            `wikibot.auth.tokens`'s); "" when only the fact methods are used.
        clock: Returns the current UTC time; tests pass a fake to step through minutes.
    """

    def __init__(
        self, path: Path, token_key: str = "", *, clock: Callable[[], datetime] = _utcnow
    ) -> None:
        self.path = Path(path)
        self.token_key = token_key
        self._clock = clock
        # One connection shared under a lock: Lambda is single-threaded, and the local server's
        # thread-per-request would otherwise leave a connection behind for every request.
        # Other processes are handled by SQLite itself (WAL + busy_timeout).
        self._lock = threading.RLock()
        _create_private(self.path)
        self._db = sqlite3.connect(
            self.path, timeout=10, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        # busy_timeout first: switching to WAL needs a lock another opener may hold.
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute("PRAGMA foreign_keys = ON")
        # An up-to-date file needs no schema statements (nor their write lock: a cold start of
        # every worker would queue on it). Bump SCHEMA_VERSION whenever the schema changes.
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version != SCHEMA_VERSION:
            self._migrate()

    def _migrate(self) -> None:
        """Create the tables, add columns an older wikibot did not have, stamp the version."""
        with self._write() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            for table, columns in _ADDED_COLUMNS.items():
                have = {r["name"] for r in db.execute(f"PRAGMA table_info({table})")}
                for column, decl in columns.items():
                    if column not in have:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
            db.execute(_SUBJECT_INDEX)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def __repr__(self) -> str:
        return f"SqliteRegistry({str(self.path)!r})"

    def now(self) -> datetime:
        """The registry's clock (the fake one in tests)."""
        return self._clock()

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            # IMMEDIATE takes the write lock up front, so check-then-insert cannot race another
            # process; busy_timeout makes contenders wait rather than fail.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _one(self, sql: str, args: tuple = ()) -> sqlite3.Row | None:
        with self._read() as db:
            return db.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._read() as db:
            return db.execute(sql, args).fetchall()

    # -- users -------------------------------------------------------------------------------

    def create_user(
        self, id: str, email: str = "", name: str = "", *, provider: str = "", subject: str = ""
    ) -> User:
        """Create a user (see `Registry.create_user`)."""
        validate_slug("user id", id)
        user = User(id, email.strip(), name, self._clock(), provider, subject if provider else "")
        with self._write() as db:
            if db.execute("SELECT 1 FROM users WHERE id = ?", (id,)).fetchone():
                raise AlreadyExists(f"user {id!r} already exists")
            if user.email and self._email_row(db, user.email):
                raise AlreadyExists(f"another user already has the email {user.email!r}")
            if (
                user.subject
                and db.execute(
                    "SELECT 1 FROM users WHERE provider = ? AND subject = ?", (provider, subject)
                ).fetchone()
            ):
                raise AlreadyExists(f"another user is already {provider} subject {subject!r}")
            db.execute(
                "INSERT INTO users (id, email, name, created_at, provider, subject)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (id, user.email, name, _ts(user.created_at), user.provider, user.subject),
            )
        return user

    def get_user(self, id: str) -> User:
        """Return a user (see `Registry.get_user`)."""
        row = self._one("SELECT * FROM users WHERE id = ?", (id,))
        if row is None:
            raise NotFound(f"user {id!r} does not exist")
        return _user(row)

    def find_user_by_email(self, email: str) -> User | None:
        """Return the user with this email, or None (see `Registry.find_user_by_email`)."""
        email = email.strip()
        if not email:
            return None
        with self._read() as db:
            row = self._email_row(db, email)
        return None if row is None else _user(row)

    def find_user_by_subject(self, provider: str, subject: str) -> User | None:
        """Return the provider's user, or None (see `Registry.find_user_by_subject`)."""
        if not provider or not subject:
            return None
        row = self._one(
            "SELECT * FROM users WHERE provider = ? AND subject = ?", (provider, subject)
        )
        return None if row is None else _user(row)

    def update_user(self, id: str, *, email: str | None = None, name: str | None = None) -> User:
        """Change email and/or name (see `Registry.update_user`)."""
        with self._write() as db:
            row = db.execute("SELECT * FROM users WHERE id = ?", (id,)).fetchone()
            if row is None:
                raise NotFound(f"user {id!r} does not exist")
            if email is not None:
                email = email.strip()
                clash = self._email_row(db, email) if email else None
                if clash is not None and clash["id"] != id:
                    raise AlreadyExists(f"another user already has the email {email!r}")
                db.execute("UPDATE users SET email = ? WHERE id = ?", (email, id))
            if name is not None:
                db.execute("UPDATE users SET name = ? WHERE id = ?", (name, id))
            return _user(db.execute("SELECT * FROM users WHERE id = ?", (id,)).fetchone())

    @staticmethod
    def _email_row(db: sqlite3.Connection, email: str) -> sqlite3.Row | None:
        return db.execute(
            "SELECT * FROM users WHERE email <> '' AND lower(email) = lower(?)", (email,)
        ).fetchone()

    # -- wikis -------------------------------------------------------------------------------

    def create_wiki(self, owner: str, slug: str, title: str = "", *, public: bool = False) -> Wiki:
        """Create a wiki (see `Registry.create_wiki`)."""
        validate_slug("user id", owner)
        validate_slug("wiki slug", slug)
        now = self._clock()
        wiki = Wiki(owner, slug, title or slug, now, now, bool(public))
        with self._write() as db:
            if not db.execute("SELECT 1 FROM users WHERE id = ?", (owner,)).fetchone():
                raise NotFound(f"user {owner!r} does not exist; create the user first")
            if self._wiki_row(db, owner, slug):
                raise AlreadyExists(f"wiki {wiki.key!r} already exists")
            db.execute(
                "INSERT INTO wikis (owner, slug, title, created_at, updated_at, public)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (owner, slug, wiki.title, _ts(now), _ts(now), int(wiki.public)),
            )
        return wiki

    def get_wiki(self, owner: str, slug: str) -> Wiki:
        """Return a wiki (see `Registry.get_wiki`)."""
        with self._read() as db:
            row = self._wiki_row(db, owner, slug)
        if row is None:
            raise NotFound(f"wiki {owner}/{slug} does not exist")
        return _wiki(row)

    def list_wikis(self, owner: str) -> list[Wiki]:
        """Return the owner's wikis ordered by slug (see `Registry.list_wikis`)."""
        rows = self._all("SELECT * FROM wikis WHERE owner = ? ORDER BY slug", (owner,))
        return [_wiki(r) for r in rows]

    def update_wiki(
        self,
        owner: str,
        slug: str,
        *,
        title: str | None = None,
        public: bool | None = None,
        page_count: int | None = None,
        bytes: int | None = None,
    ) -> Wiki:
        """Change some facts of a wiki (see `Registry.update_wiki`)."""
        changes = {"title": title, "public": public, "page_count": page_count, "bytes": bytes}
        sets = {k: (int(v) if k == "public" else v) for k, v in changes.items() if v is not None}
        sets["updated_at"] = _ts(self._clock())
        with self._write() as db:
            assignments = ", ".join(f"{k} = ?" for k in sets)
            cur = db.execute(
                f"UPDATE wikis SET {assignments} WHERE owner = ? AND slug = ?",
                (*sets.values(), owner, slug),
            )
            if cur.rowcount == 0:
                raise NotFound(f"wiki {owner}/{slug} does not exist")
            return _wiki(self._wiki_row(db, owner, slug))

    def delete_wiki(self, owner: str, slug: str) -> None:
        """Delete a wiki, its members and tokens (see `Registry.delete_wiki`)."""
        with self._write() as db:
            # Members and tokens go with the wiki (ON DELETE CASCADE), so a re-created wiki of
            # the same name never inherits its predecessor's people or credentials.
            cur = db.execute("DELETE FROM wikis WHERE owner = ? AND slug = ?", (owner, slug))
            if cur.rowcount == 0:
                raise NotFound(f"wiki {owner}/{slug} does not exist")

    @staticmethod
    def _wiki_row(db: sqlite3.Connection, owner: str, slug: str) -> sqlite3.Row | None:
        return db.execute(
            "SELECT * FROM wikis WHERE owner = ? AND slug = ?", (owner, slug)
        ).fetchone()

    # -- members -----------------------------------------------------------------------------

    def put_member(self, wiki_owner: str, wiki_slug: str, user_id: str, role: str) -> Member:
        """Give a user a role on a wiki (see `Registry.put_member`)."""
        if not role:
            raise InvalidInput("a member needs a role")
        if user_id == wiki_owner:
            raise InvalidInput(f"{user_id!r} owns {wiki_owner}/{wiki_slug}; owners are not members")
        member = Member(wiki_owner, wiki_slug, user_id, role, self._clock())
        with self._write() as db:
            if self._wiki_row(db, wiki_owner, wiki_slug) is None:
                raise NotFound(f"wiki {wiki_owner}/{wiki_slug} does not exist")
            if not db.execute("SELECT 1 FROM users WHERE id = ?", (user_id,)).fetchone():
                raise NotFound(f"user {user_id!r} does not exist")
            db.execute(
                "INSERT INTO members (wiki_owner, wiki_slug, user_id, role, added_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (wiki_owner, wiki_slug, user_id)"
                " DO UPDATE SET role = excluded.role",
                (wiki_owner, wiki_slug, user_id, role, _ts(member.added_at)),
            )
            row = db.execute(
                "SELECT * FROM members WHERE wiki_owner = ? AND wiki_slug = ? AND user_id = ?",
                (wiki_owner, wiki_slug, user_id),
            ).fetchone()
        return _member(row)

    def get_member(self, wiki_owner: str, wiki_slug: str, user_id: str) -> Member | None:
        """Return one membership or None (see `Registry.get_member`)."""
        row = self._one(
            "SELECT * FROM members WHERE wiki_owner = ? AND wiki_slug = ? AND user_id = ?",
            (wiki_owner, wiki_slug, user_id),
        )
        return None if row is None else _member(row)

    def list_members(self, wiki_owner: str, wiki_slug: str) -> list[Member]:
        """Return the wiki's members by user id (see `Registry.list_members`)."""
        rows = self._all(
            "SELECT * FROM members WHERE wiki_owner = ? AND wiki_slug = ? ORDER BY user_id",
            (wiki_owner, wiki_slug),
        )
        return [_member(r) for r in rows]

    def list_memberships(self, user_id: str) -> list[Member]:
        """Return the user's memberships by wiki (see `Registry.list_memberships`)."""
        rows = self._all(
            "SELECT * FROM members WHERE user_id = ? ORDER BY wiki_owner, wiki_slug", (user_id,)
        )
        return [_member(r) for r in rows]

    def remove_member(self, wiki_owner: str, wiki_slug: str, user_id: str) -> None:
        """Remove a membership (see `Registry.remove_member`)."""
        with self._write() as db:
            cur = db.execute(
                "DELETE FROM members WHERE wiki_owner = ? AND wiki_slug = ? AND user_id = ?",
                (wiki_owner, wiki_slug, user_id),
            )
            if cur.rowcount == 0:
                raise NotFound(f"{user_id!r} is not a member of {wiki_owner}/{wiki_slug}")

    # -- tokens ------------------------------------------------------------------------------

    def add_token(self, token: Token, secret_hash: str) -> Token:
        """Store a token record and its hash (see `Registry.add_token`)."""
        with self._write() as db:
            if not db.execute("SELECT 1 FROM users WHERE id = ?", (token.user_id,)).fetchone():
                raise NotFound(f"user {token.user_id!r} does not exist")
            if self._wiki_row(db, token.wiki_owner, token.wiki_slug) is None:
                raise NotFound(f"wiki {token.wiki_key} does not exist")
            try:
                db.execute(
                    "INSERT INTO tokens (id, secret_hash, user_id, wiki_owner, wiki_slug, name,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        token.id,
                        secret_hash,
                        token.user_id,
                        token.wiki_owner,
                        token.wiki_slug,
                        token.name,
                        _ts(token.created_at),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise AlreadyExists(f"token {token.id!r} (or its secret) already exists") from exc
        return token

    def find_token(self, secret_hash: str) -> Token | None:
        """Return the live token for a hash (see `Registry.find_token`)."""
        row = self._one(
            "SELECT * FROM tokens WHERE secret_hash = ? AND revoked_at IS NULL", (secret_hash,)
        )
        return None if row is None else _token(row)

    def touch_token(self, token: Token, at: datetime, not_after: datetime) -> Token | None:
        """Conditionally record use (see `Registry.touch_token`)."""
        token_id = token.id
        with self._write() as db:
            db.execute(
                "UPDATE tokens SET last_used_at = ? WHERE id = ? AND revoked_at IS NULL"
                " AND (last_used_at IS NULL OR last_used_at <= ?)",
                (_ts(at), token_id, _ts(not_after)),
            )
            row = db.execute(
                "SELECT * FROM tokens WHERE id = ? AND revoked_at IS NULL", (token_id,)
            ).fetchone()
        return None if row is None else _token(row)

    def list_tokens(
        self, user_id: str, wiki_owner: str | None = None, wiki_slug: str | None = None
    ) -> list[Token]:
        """Return the user's tokens, oldest first (see `Registry.list_tokens`)."""
        sql, args = "SELECT * FROM tokens WHERE user_id = ?", [user_id]
        if wiki_owner is not None:
            sql, args = sql + " AND wiki_owner = ?", [*args, wiki_owner]
        if wiki_slug is not None:
            sql, args = sql + " AND wiki_slug = ?", [*args, wiki_slug]
        return [_token(r) for r in self._all(sql + " ORDER BY created_at, id", tuple(args))]

    def list_wiki_tokens(self, wiki_owner: str, wiki_slug: str) -> list[Token]:
        """Return every token for a wiki (see `Registry.list_wiki_tokens`)."""
        rows = self._all(
            "SELECT * FROM tokens WHERE wiki_owner = ? AND wiki_slug = ? ORDER BY created_at, id",
            (wiki_owner, wiki_slug),
        )
        return [_token(r) for r in rows]

    def revoke_token(self, user_id: str, token_id: str) -> None:
        """Revoke one of the user's tokens (see `Registry.revoke_token`)."""
        with self._write() as db:
            row = db.execute(
                "SELECT revoked_at FROM tokens WHERE id = ? AND user_id = ?", (token_id, user_id)
            ).fetchone()
            # Another user's token gets the same answer as a missing one: ids are not probeable.
            if row is None:
                raise NotFound(f"token {token_id!r} does not exist for user {user_id!r}")
            if row["revoked_at"] is None:
                db.execute(
                    "UPDATE tokens SET revoked_at = ? WHERE id = ?",
                    (_ts(self._clock()), token_id),
                )

    def revoke_user_tokens(self, wiki_owner: str, wiki_slug: str, user_id: str) -> int:
        """Revoke a user's live tokens for a wiki (see `Registry.revoke_user_tokens`)."""
        with self._write() as db:
            cur = db.execute(
                "UPDATE tokens SET revoked_at = ? WHERE wiki_owner = ? AND wiki_slug = ?"
                " AND user_id = ? AND revoked_at IS NULL",
                (_ts(self._clock()), wiki_owner, wiki_slug, user_id),
            )
            return cur.rowcount

    # -- JWKS cache --------------------------------------------------------------------------

    def get_jwks(self, issuer: str) -> Jwks | None:
        """Return the cached key set (see `Registry.get_jwks`)."""
        row = self._one("SELECT * FROM jwks WHERE issuer = ?", (issuer,))
        if row is None:
            return None
        return Jwks(
            issuer,
            json.loads(row["keys"]),
            _dt(row["fetched_at"]),
            _dt(row["refresh_claimed_at"]),
        )

    def put_jwks(self, issuer: str, keys: list[dict], fetched_at: datetime) -> None:
        """Replace the cached key set (see `Registry.put_jwks`)."""
        with self._write() as db:
            db.execute(
                "INSERT INTO jwks (issuer, keys, fetched_at) VALUES (?, ?, ?)"
                " ON CONFLICT (issuer) DO UPDATE SET keys = excluded.keys,"
                " fetched_at = excluded.fetched_at",
                (issuer, json.dumps(keys), _ts(fetched_at)),
            )

    def claim_jwks_refresh(self, issuer: str, at: datetime, not_after: datetime) -> bool:
        """Claim the right to refresh (see `Registry.claim_jwks_refresh`)."""
        with self._write() as db:
            db.execute("INSERT OR IGNORE INTO jwks (issuer) VALUES (?)", (issuer,))
            cur = db.execute(
                "UPDATE jwks SET refresh_claimed_at = ? WHERE issuer = ?"
                " AND (refresh_claimed_at IS NULL OR refresh_claimed_at <= ?)",
                (_ts(at), issuer, _ts(not_after)),
            )
            return cur.rowcount == 1


def _user(row: sqlite3.Row) -> User:
    return User(
        row["id"],
        row["email"],
        row["name"],
        _dt(row["created_at"]),
        row["provider"],
        row["subject"],
    )


def _wiki(row: sqlite3.Row) -> Wiki:
    return Wiki(
        owner=row["owner"],
        slug=row["slug"],
        title=row["title"],
        created_at=_dt(row["created_at"]),
        updated_at=_dt(row["updated_at"]),
        public=bool(row["public"]),
        page_count=row["page_count"],
        bytes=row["bytes"],
    )


def _member(row: sqlite3.Row) -> Member:
    return Member(
        row["wiki_owner"], row["wiki_slug"], row["user_id"], row["role"], _dt(row["added_at"])
    )


def _token(row: sqlite3.Row) -> Token:
    return Token(
        id=row["id"],
        user_id=row["user_id"],
        wiki_owner=row["wiki_owner"],
        wiki_slug=row["wiki_slug"],
        name=row["name"],
        created_at=_dt(row["created_at"]),
        last_used_at=_dt(row["last_used_at"]),
        revoked_at=_dt(row["revoked_at"]),
    )
