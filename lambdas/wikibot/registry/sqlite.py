"""SQLite registry adapter: the local (and single-machine) implementation of `Registry`.

Stdlib `sqlite3` only. Safe for several threads and processes on one file: WAL journal (readers
never block the writer), a busy timeout (writers queue instead of failing), one connection shared
under a lock, and every write in `BEGIN IMMEDIATE` so read-then-write sequences cannot interleave.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wikibot.auth.tokens import hash_secret, looks_like_token, new_secret, token_id
from wikibot.errors import AlreadyExists, Forbidden, InvalidInput, NotFound
from wikibot.registry.base import Token, User, Wiki, validate_slug

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_email ON users (lower(email)) WHERE email <> '';
CREATE TABLE IF NOT EXISTS wikis (
    owner TEXT NOT NULL REFERENCES users (id),
    slug TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (owner, slug)
);
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
"""

# Writing last_used_at on every call would turn each authenticated read into a write lock.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class SqliteRegistry:
    """`Registry` over one SQLite file.

    Args:
        path: Database file; created (with its schema) if missing.
        token_key: Server secret that keys the token hashes. Tokens minted under one key do not
            resolve under another.
        clock: Returns the current UTC time; tests pass a fake to step through minutes.
    """

    def __init__(
        self, path: Path, token_key: str, *, clock: Callable[[], datetime] = _utcnow
    ) -> None:
        if not token_key:
            raise InvalidInput("token key is empty: set WIKIBOT_TOKEN_KEY to a long random string")
        self.path = Path(path)
        self._token_key = token_key
        self._clock = clock
        # One connection shared under a lock: Lambda is single-threaded, and the local server's
        # thread-per-request would otherwise leave a connection behind for every request.
        # Other processes are handled by SQLite itself (WAL + busy_timeout).
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            self.path, timeout=10, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        # busy_timeout first: switching to WAL needs a lock another opener may hold.
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        self._db.execute("PRAGMA foreign_keys = ON")
        with self._write() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def __repr__(self) -> str:
        return f"SqliteRegistry({str(self.path)!r})"

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
            # process; busy_timeout makes contenders wait rather than fail. We issue BEGIN
            # ourselves (isolation_level=None) so sqlite3 never opens a deferred one for us.
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- users -------------------------------------------------------------------------------

    def create_user(self, id: str, email: str = "", name: str = "") -> User:
        """Create a user (see `Registry.create_user`)."""
        validate_slug("user id", id)
        user = User(id=id, email=email.strip(), name=name, created_at=self._clock())
        with self._write() as db:
            if db.execute("SELECT 1 FROM users WHERE id = ?", (id,)).fetchone():
                raise AlreadyExists(f"user {id!r} already exists")
            if user.email and self._email_row(db, user.email):
                raise AlreadyExists(f"another user already has the email {user.email!r}")
            db.execute(
                "INSERT INTO users (id, email, name, created_at) VALUES (?, ?, ?, ?)",
                (user.id, user.email, user.name, _ts(user.created_at)),
            )
        return user

    def get_user(self, id: str) -> User:
        """Return a user (see `Registry.get_user`)."""
        with self._read() as db:
            row = db.execute("SELECT * FROM users WHERE id = ?", (id,)).fetchone()
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

    @staticmethod
    def _email_row(db: sqlite3.Connection, email: str) -> sqlite3.Row | None:
        return db.execute(
            "SELECT * FROM users WHERE email <> '' AND lower(email) = lower(?)", (email,)
        ).fetchone()

    # -- wikis -------------------------------------------------------------------------------

    def create_wiki(self, owner: str, slug: str, title: str = "") -> Wiki:
        """Create a wiki (see `Registry.create_wiki`)."""
        validate_slug("user id", owner)
        validate_slug("wiki slug", slug)
        wiki = Wiki(owner=owner, slug=slug, title=title or slug, created_at=self._clock())
        with self._write() as db:
            if not db.execute("SELECT 1 FROM users WHERE id = ?", (owner,)).fetchone():
                raise NotFound(f"user {owner!r} does not exist; create the user first")
            if self._wiki_row(db, owner, slug):
                raise AlreadyExists(f"wiki {wiki.key!r} already exists")
            db.execute(
                "INSERT INTO wikis (owner, slug, title, created_at) VALUES (?, ?, ?, ?)",
                (owner, slug, wiki.title, _ts(wiki.created_at)),
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
        with self._read() as db:
            rows = db.execute(
                "SELECT * FROM wikis WHERE owner = ? ORDER BY slug", (owner,)
            ).fetchall()
        return [_wiki(r) for r in rows]

    def delete_wiki(self, owner: str, slug: str) -> None:
        """Delete a wiki and its tokens (see `Registry.delete_wiki`)."""
        with self._write() as db:
            # Tokens go with the wiki (ON DELETE CASCADE), so a re-created wiki of the same
            # name never inherits its predecessor's credentials.
            cur = db.execute("DELETE FROM wikis WHERE owner = ? AND slug = ?", (owner, slug))
            if cur.rowcount == 0:
                raise NotFound(f"wiki {owner}/{slug} does not exist")

    @staticmethod
    def _wiki_row(db: sqlite3.Connection, owner: str, slug: str) -> sqlite3.Row | None:
        return db.execute(
            "SELECT * FROM wikis WHERE owner = ? AND slug = ?", (owner, slug)
        ).fetchone()

    # -- tokens ------------------------------------------------------------------------------

    def create_token(
        self, user_id: str, wiki_owner: str, wiki_slug: str, name: str = ""
    ) -> tuple[Token, str]:
        """Mint a token; returns the secret once (see `Registry.create_token`)."""
        secret = new_secret()
        token = Token(
            id=token_id(),
            user_id=user_id,
            wiki_owner=wiki_owner,
            wiki_slug=wiki_slug,
            name=name,
            created_at=self._clock(),
            last_used_at=None,
            revoked_at=None,
        )
        with self._write() as db:
            if not db.execute("SELECT 1 FROM users WHERE id = ?", (user_id,)).fetchone():
                raise NotFound(f"user {user_id!r} does not exist")
            if self._wiki_row(db, wiki_owner, wiki_slug) is None:
                raise NotFound(f"wiki {wiki_owner}/{wiki_slug} does not exist")
            # Members arrive with the roles issue; until then only the owner holds tokens.
            if user_id != wiki_owner:
                raise Forbidden(f"user {user_id!r} has no access to wiki {token.wiki_key}")
            db.execute(
                "INSERT INTO tokens (id, secret_hash, user_id, wiki_owner, wiki_slug, name,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    token.id,
                    hash_secret(secret, self._token_key),
                    user_id,
                    wiki_owner,
                    wiki_slug,
                    name,
                    _ts(token.created_at),
                ),
            )
        return token, secret

    def resolve_token(self, secret: str) -> Token | None:
        """Return the live token for a secret, or None (see `Registry.resolve_token`)."""
        if not looks_like_token(secret):
            return None  # Cheap reject: no hash, no query for junk or other credential kinds.
        digest = hash_secret(secret, self._token_key)
        with self._read() as db:
            row = db.execute(
                "SELECT * FROM tokens WHERE secret_hash = ? AND revoked_at IS NULL", (digest,)
            ).fetchone()
        if row is None:
            return None
        token = _token(row)
        now = self._clock()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
            # Conditional update: concurrent resolvers in the same minute write only once, and
            # a token revoked between our read and this write is not resurrected.
            cutoff = _ts(now - LAST_USED_GRANULARITY)
            with self._write() as wdb:
                wdb.execute(
                    "UPDATE tokens SET last_used_at = ? WHERE id = ? AND revoked_at IS NULL"
                    " AND (last_used_at IS NULL OR last_used_at <= ?)",
                    (_ts(now), token.id, cutoff),
                )
                row = wdb.execute("SELECT * FROM tokens WHERE id = ?", (token.id,)).fetchone()
            token = _token(row)
            if token.revoked_at is not None:
                return None
        return token

    def list_tokens(
        self, user_id: str, wiki_owner: str | None = None, wiki_slug: str | None = None
    ) -> list[Token]:
        """Return the user's tokens, oldest first (see `Registry.list_tokens`)."""
        sql, args = "SELECT * FROM tokens WHERE user_id = ?", [user_id]
        if wiki_owner is not None:
            sql, args = sql + " AND wiki_owner = ?", [*args, wiki_owner]
        if wiki_slug is not None:
            sql, args = sql + " AND wiki_slug = ?", [*args, wiki_slug]
        with self._read() as db:
            rows = db.execute(sql + " ORDER BY created_at, id", args).fetchall()
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


def _user(row: sqlite3.Row) -> User:
    return User(
        id=row["id"], email=row["email"], name=row["name"], created_at=_dt(row["created_at"])
    )


def _wiki(row: sqlite3.Row) -> Wiki:
    return Wiki(
        owner=row["owner"], slug=row["slug"], title=row["title"], created_at=_dt(row["created_at"])
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
