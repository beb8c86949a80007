"""One contract for every `Registry` adapter (parametrized by the `backend` fixture)."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from registry_backends import KEY, Backend

from wikibot.auth.tokens import hash_secret, looks_like_token, new_secret
from wikibot.errors import AlreadyExists, Forbidden, InvalidInput, NotFound
from wikibot.registry import Registry, open_registry, validate_slug
from wikibot.registry.sqlite import SqliteRegistry
from wikibot.settings import Settings

BAD_SLUGS = ["../x", "A", "a/b", "", "x" * 64, ".hidden", "-lead", "a b", "a.b", "é", "a\n"]


def _alice_with_wiki(reg: Registry) -> None:
    reg.create_user("alice", email="alice@example.com", name="Alice")
    reg.create_wiki("alice", "notes", title="Notes")


class TestRegistryContract:
    def test_implements_protocol(self, reg: Registry) -> None:
        assert isinstance(reg, Registry)

    # -- users ---------------------------------------------------------------------------

    def test_create_and_get_user(self, reg: Registry, backend: Backend) -> None:
        created = reg.create_user("alice", email="alice@example.com", name="Alice")
        got = reg.get_user("alice")
        assert got == created
        assert (got.id, got.email, got.name) == ("alice", "alice@example.com", "Alice")
        assert got.created_at == backend.clock.now

    def test_get_missing_user(self, reg: Registry) -> None:
        with pytest.raises(NotFound, match="nobody"):
            reg.get_user("nobody")

    def test_duplicate_user(self, reg: Registry) -> None:
        reg.create_user("alice")
        with pytest.raises(AlreadyExists):
            reg.create_user("alice", email="other@example.com")

    def test_duplicate_email_is_case_insensitive(self, reg: Registry) -> None:
        reg.create_user("alice", email="Alice@Example.com")
        with pytest.raises(AlreadyExists, match="email"):
            reg.create_user("alice2", email="alice@example.COM")
        # Users without an email do not collide with each other.
        reg.create_user("bob")
        reg.create_user("carol")

    def test_find_user_by_email(self, reg: Registry) -> None:
        reg.create_user("alice", email="Alice@Example.com")
        reg.create_user("noemail")
        found = reg.find_user_by_email("alice@example.com")
        assert found is not None and found.id == "alice"
        assert reg.find_user_by_email("bob@example.com") is None
        assert reg.find_user_by_email("") is None

    @pytest.mark.parametrize("bad", BAD_SLUGS)
    def test_bad_user_ids(self, reg: Registry, bad: str) -> None:
        with pytest.raises(InvalidInput, match="user id"):
            reg.create_user(bad)

    @pytest.mark.parametrize("reserved", ["api", "auth"])
    def test_reserved_user_ids(self, reg: Registry, reserved: str) -> None:
        with pytest.raises(InvalidInput, match="reserved"):
            reg.create_user(reserved)

    def test_longest_and_shortest_slugs(self, reg: Registry) -> None:
        reg.create_user("a" * 63)
        reg.create_user("0")
        reg.create_wiki("0", "x_y-z" + "9" * 58)
        assert reg.get_wiki("0", "x_y-z" + "9" * 58).slug.endswith("9")

    # -- wikis ---------------------------------------------------------------------------

    def test_create_and_get_wiki(self, reg: Registry) -> None:
        _alice_with_wiki(reg)
        wiki = reg.get_wiki("alice", "notes")
        assert (wiki.owner, wiki.slug, wiki.title, wiki.key) == (
            "alice",
            "notes",
            "Notes",
            "alice/notes",
        )

    def test_title_defaults_to_slug(self, reg: Registry) -> None:
        reg.create_user("alice")
        assert reg.create_wiki("alice", "journal").title == "journal"

    def test_duplicate_wiki(self, reg: Registry) -> None:
        _alice_with_wiki(reg)
        with pytest.raises(AlreadyExists, match="alice/notes"):
            reg.create_wiki("alice", "notes")

    def test_same_slug_for_different_owners(self, reg: Registry) -> None:
        _alice_with_wiki(reg)
        reg.create_user("bob")
        reg.create_wiki("bob", "notes", title="Bob's")
        assert reg.get_wiki("alice", "notes").title == "Notes"
        assert reg.get_wiki("bob", "notes").title == "Bob's"

    def test_wiki_needs_existing_owner(self, reg: Registry) -> None:
        with pytest.raises(NotFound, match="ghost"):
            reg.create_wiki("ghost", "notes")

    @pytest.mark.parametrize("bad", BAD_SLUGS)
    def test_bad_wiki_slugs(self, reg: Registry, bad: str) -> None:
        reg.create_user("alice")
        with pytest.raises(InvalidInput, match="wiki slug"):
            reg.create_wiki("alice", bad)
        assert reg.list_wikis("alice") == []

    def test_get_missing_wiki(self, reg: Registry) -> None:
        reg.create_user("alice")
        with pytest.raises(NotFound, match="alice/nope"):
            reg.get_wiki("alice", "nope")

    def test_list_wikis_is_per_owner_and_sorted(self, reg: Registry) -> None:
        reg.create_user("alice")
        reg.create_user("bob")
        for slug in ["zeta", "alpha", "mid"]:
            reg.create_wiki("alice", slug)
        reg.create_wiki("bob", "bobs")
        assert [w.slug for w in reg.list_wikis("alice")] == ["alpha", "mid", "zeta"]
        assert [w.key for w in reg.list_wikis("bob")] == ["bob/bobs"]
        assert reg.list_wikis("nobody") == []

    def test_delete_wiki_removes_it_and_its_tokens(self, reg: Registry) -> None:
        _alice_with_wiki(reg)
        _, secret = reg.create_token("alice", "alice", "notes")
        reg.delete_wiki("alice", "notes")
        with pytest.raises(NotFound):
            reg.get_wiki("alice", "notes")
        assert reg.resolve_token(secret) is None
        assert reg.list_tokens("alice") == []
        # A re-created wiki of the same name does not inherit the old credentials.
        reg.create_wiki("alice", "notes")
        assert reg.resolve_token(secret) is None

    def test_delete_missing_wiki(self, reg: Registry) -> None:
        reg.create_user("alice")
        with pytest.raises(NotFound):
            reg.delete_wiki("alice", "nope")

    # -- tokens --------------------------------------------------------------------------

    def test_token_is_shown_once_and_stored_hashed(self, reg: Registry, backend: Backend) -> None:
        _alice_with_wiki(reg)
        token, secret = reg.create_token("alice", "alice", "notes", name="laptop")
        assert looks_like_token(secret)
        assert secret not in repr(token) and secret not in str(token)
        assert secret not in repr(reg)
        # Nothing the registry returns later carries the secret either.
        assert all(secret not in repr(t) for t in reg.list_tokens("alice"))
        raw = backend.raw_bytes()
        assert raw, "backend dumped no bytes; the check below would prove nothing"
        assert token.id.encode() in raw
        assert secret.encode() not in raw
        assert secret.removeprefix("wbt_").encode() not in raw

    def test_resolve_returns_the_token(self, reg: Registry, backend: Backend) -> None:
        _alice_with_wiki(reg)
        token, secret = reg.create_token("alice", "alice", "notes", name="laptop")
        resolved = reg.resolve_token(secret)
        assert resolved is not None
        assert (resolved.id, resolved.user_id, resolved.wiki_key, resolved.name) == (
            token.id,
            "alice",
            "alice/notes",
            "laptop",
        )
        assert resolved.revoked_at is None
        assert resolved.last_used_at == backend.clock.now

    def test_tokens_are_distinct(self, reg: Registry) -> None:
        _alice_with_wiki(reg)
        (t1, s1), (t2, s2) = (reg.create_token("alice", "alice", "notes") for _ in range(2))
        assert t1.id != t2.id and s1 != s2
        assert reg.resolve_token(s1).id == t1.id
        assert reg.resolve_token(s2).id == t2.id

    @pytest.mark.parametrize("wrong", ["", "wbt_", "Bearer x", "not-a-token", "wbt_" + "A" * 43])
    def test_wrong_token_resolves_to_none(self, reg: Registry, wrong: str) -> None:
        _alice_with_wiki(reg)
        reg.create_token("alice", "alice", "notes")
        assert reg.resolve_token(wrong) is None

    def test_fresh_secret_never_issued_resolves_to_none(self, reg: Registry) -> None:
        _alice_with_wiki(reg)
        _, secret = reg.create_token("alice", "alice", "notes")
        assert reg.resolve_token(new_secret()) is None
        assert reg.resolve_token(secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None

    def test_revoke_then_resolve_is_none(self, reg: Registry, backend: Backend) -> None:
        _alice_with_wiki(reg)
        token, secret = reg.create_token("alice", "alice", "notes")
        reg.revoke_token("alice", token.id)
        assert reg.resolve_token(secret) is None
        revoked_at = backend.clock.now
        backend.clock.advance(hours=1)
        reg.revoke_token("alice", token.id)  # idempotent: keeps the first revocation time
        [listed] = reg.list_tokens("alice")
        assert listed.revoked_at == revoked_at

    def test_revoke_leaves_other_tokens_alone(self, reg: Registry) -> None:
        _alice_with_wiki(reg)
        t1, _ = reg.create_token("alice", "alice", "notes")
        _, s2 = reg.create_token("alice", "alice", "notes")
        reg.revoke_token("alice", t1.id)
        assert reg.resolve_token(s2) is not None

    def test_cannot_revoke_another_users_token(self, reg: Registry) -> None:
        _alice_with_wiki(reg)
        reg.create_user("mallory")
        token, secret = reg.create_token("alice", "alice", "notes")
        with pytest.raises(NotFound):
            reg.revoke_token("mallory", token.id)
        assert reg.resolve_token(secret) is not None
        with pytest.raises(NotFound):
            reg.revoke_token("alice", "tok_doesnotexist")

    def test_cannot_mint_token_for_another_users_wiki(self, reg: Registry) -> None:
        _alice_with_wiki(reg)
        reg.create_user("mallory")
        with pytest.raises(Forbidden):
            reg.create_token("mallory", "alice", "notes")
        assert reg.list_tokens("mallory") == []

    def test_token_needs_existing_user_and_wiki(self, reg: Registry) -> None:
        _alice_with_wiki(reg)
        with pytest.raises(NotFound, match="ghost"):
            reg.create_token("ghost", "alice", "notes")
        with pytest.raises(NotFound, match="alice/nope"):
            reg.create_token("alice", "alice", "nope")

    def test_list_tokens_filters(self, reg: Registry, backend: Backend) -> None:
        _alice_with_wiki(reg)
        reg.create_wiki("alice", "work")
        reg.create_user("bob")
        reg.create_wiki("bob", "notes")
        a1, _ = reg.create_token("alice", "alice", "notes", name="a1")
        backend.clock.advance(seconds=1)
        a2, _ = reg.create_token("alice", "alice", "work", name="a2")
        backend.clock.advance(seconds=1)
        a3, _ = reg.create_token("alice", "alice", "notes", name="a3")
        b1, _ = reg.create_token("bob", "bob", "notes", name="b1")
        reg.revoke_token("alice", a3.id)
        assert [t.id for t in reg.list_tokens("alice")] == [a1.id, a2.id, a3.id]
        assert [t.id for t in reg.list_tokens("alice", "alice", "notes")] == [a1.id, a3.id]
        assert [t.id for t in reg.list_tokens("alice", "alice", "work")] == [a2.id]
        assert [t.id for t in reg.list_tokens("alice", wiki_owner="alice")] == [
            a1.id,
            a2.id,
            a3.id,
        ]
        assert reg.list_tokens("alice", "bob", "notes") == []
        assert [t.id for t in reg.list_tokens("bob")] == [b1.id]
        assert reg.list_tokens("nobody") == []
        assert reg.list_tokens("alice")[2].revoked_at is not None

    def test_other_token_key_cannot_resolve(self, backend: Backend) -> None:
        first = backend.make(token_key=KEY)
        _alice_with_wiki(first)
        _, secret = first.create_token("alice", "alice", "notes")
        other = backend.make(token_key="a-completely-different-key")
        assert other.resolve_token(secret) is None
        # Same storage, same key: the token survives a reopen.
        assert backend.make(token_key=KEY).resolve_token(secret) is not None

    def test_last_used_is_written_at_most_once_a_minute(
        self, reg: Registry, backend: Backend
    ) -> None:
        _alice_with_wiki(reg)
        token, secret = reg.create_token("alice", "alice", "notes")
        assert token.last_used_at is None
        first_use = backend.clock.now
        assert reg.resolve_token(secret).last_used_at == first_use
        backend.clock.advance(seconds=59)
        assert reg.resolve_token(secret).last_used_at == first_use
        assert reg.list_tokens("alice")[0].last_used_at == first_use
        backend.clock.advance(seconds=1)
        assert reg.resolve_token(secret).last_used_at == first_use + (backend.clock.now - first_use)
        assert reg.list_tokens("alice")[0].last_used_at == backend.clock.now

    def test_empty_token_key_is_refused(self, backend: Backend) -> None:
        reg = backend.make(token_key="")
        _alice_with_wiki(reg)
        with pytest.raises(InvalidInput, match="token key"):
            reg.create_token("alice", "alice", "notes")
        assert reg.list_tokens("alice") == []


class TestTokenSecrets:
    def test_secret_format(self) -> None:
        secret = new_secret()
        assert secret.startswith("wbt_") and len(secret) == 4 + 43
        assert looks_like_token(secret)
        assert new_secret() != secret

    def test_hash_is_keyed_hmac(self) -> None:
        secret = new_secret()
        digest = hash_secret(secret, "k1")
        assert len(digest) == 64 and int(digest, 16) >= 0
        assert digest == hash_secret(secret, "k1")
        assert digest != hash_secret(secret, "k2")
        with pytest.raises(InvalidInput):
            hash_secret(secret, "")

    @pytest.mark.parametrize(
        "value", ["", "wbt_short", "wbt_" + "a" * 44, "WBT_" + "a" * 43, "wbt_" + "a" * 42 + "="]
    )
    def test_looks_like_token_rejects(self, value: str) -> None:
        assert not looks_like_token(value)

    def test_validate_slug_returns_value(self) -> None:
        assert validate_slug("wiki slug", "my-notes_2") == "my-notes_2"


def _create_users(path: str, prefix: str, n: int) -> None:
    reg = SqliteRegistry(Path(path), KEY)
    for i in range(n):
        reg.create_user(f"{prefix}{i}", email=f"{prefix}{i}@example.com")
        reg.create_wiki(f"{prefix}{i}", "notes")
        reg.create_token(f"{prefix}{i}", f"{prefix}{i}", "notes")
    reg.close()


class TestSqliteAdapter:
    """What only the SQLite adapter promises: one file shared safely by several processes."""

    def test_several_processes_share_one_file(self, tmp_path: Path) -> None:
        path = tmp_path / "shared.db"
        ctx = multiprocessing.get_context("spawn")
        procs = [
            ctx.Process(target=_create_users, args=(str(path), f"p{n}u", 15)) for n in range(4)
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0, 0, 0, 0]
        reg = SqliteRegistry(path, KEY)
        assert all(len(reg.list_tokens(f"p{n}u{i}")) == 1 for n in range(4) for i in range(15))
        reg.close()
        db = sqlite3.connect(path)
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 60
        db.close()

    def test_open_registry_sqlite_url(self, tmp_path: Path) -> None:
        settings = Settings(data_root=tmp_path / "data", token_key=KEY)
        reg = open_registry(settings)
        assert isinstance(reg, SqliteRegistry)
        assert reg.path == tmp_path / "data" / "registry.db"
        reg.create_user("alice")
        reg.close()
        assert (tmp_path / "data" / "registry.db").exists()

    @pytest.mark.parametrize(
        ("url", "message"),
        [("dynamodb://", "names no table"), ("postgres://x", "unsupported")],
    )
    def test_open_registry_other_urls(self, url: str, message: str) -> None:
        with pytest.raises(InvalidInput, match=message):
            open_registry(Settings(registry=url, token_key=KEY))
