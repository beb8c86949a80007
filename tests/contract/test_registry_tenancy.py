"""Contract for the tenancy facts: provider subjects, wiki facts, members, JWKS cache.

Runs against every backend (SQLite file, DynamoDB on a moto server over HTTP).
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from registry_backends import KEY, Backend

from wikibot.errors import AlreadyExists, Forbidden, InvalidInput, NotFound
from wikibot.registry import Registry
from wikibot.registry.sqlite import SqliteRegistry


def _people(reg: Registry) -> None:
    reg.create_user("alice", email="alice@example.com", name="Alice")
    reg.create_user("bob", email="bob@example.com")
    reg.create_user("carol")
    reg.create_wiki("alice", "notes", title="Notes")


class TestUsers:
    def test_provider_subject_is_unique_and_findable(self, reg: Registry) -> None:
        user = reg.create_user("alice", provider="workos", subject="user_01ABC")
        assert (user.provider, user.subject) == ("workos", "user_01ABC")
        assert reg.find_user_by_subject("workos", "user_01ABC").id == "alice"
        assert reg.get_user("alice").subject == "user_01ABC"
        assert reg.find_user_by_subject("workos", "user_01XYZ") is None
        assert reg.find_user_by_subject("other", "user_01ABC") is None
        assert reg.find_user_by_subject("workos", "") is None
        with pytest.raises(AlreadyExists, match="user_01ABC"):
            reg.create_user("alice2", provider="workos", subject="user_01ABC")
        # The same subject at another provider is another person.
        reg.create_user("alice3", provider="google", subject="user_01ABC")
        with pytest.raises(NotFound):
            reg.get_user("alice2")  # the failed create left nothing behind

    def test_update_user(self, reg: Registry) -> None:
        _people(reg)
        updated = reg.update_user("alice", email="Alice@New.example", name="Alice B")
        assert (updated.email, updated.name) == ("Alice@New.example", "Alice B")
        assert reg.get_user("alice") == updated
        assert reg.find_user_by_email("alice@new.example").id == "alice"
        assert reg.find_user_by_email("alice@example.com") is None
        # The released address is free again; a taken one is refused and changes nothing.
        reg.create_user("dave", email="alice@example.com")
        with pytest.raises(AlreadyExists, match="email"):
            reg.update_user("alice", email="BOB@example.com")
        assert reg.get_user("alice").email == "Alice@New.example"
        assert reg.update_user("alice", name="A").email == "Alice@New.example"
        with pytest.raises(NotFound):
            reg.update_user("ghost", name="x")


class TestWikiFacts:
    def test_new_wiki_facts(self, reg: Registry, backend: Backend) -> None:
        _people(reg)
        wiki = reg.get_wiki("alice", "notes")
        assert (wiki.public, wiki.page_count, wiki.bytes) == (False, 0, 0)
        assert wiki.created_at == wiki.updated_at == backend.clock.now
        assert reg.create_wiki("alice", "open", public=True).public is True
        assert reg.get_wiki("alice", "open").public is True

    def test_update_wiki(self, reg: Registry, backend: Backend) -> None:
        _people(reg)
        backend.clock.advance(minutes=5)
        got = reg.update_wiki("alice", "notes", page_count=3, bytes=1234)
        assert (got.page_count, got.bytes, got.title, got.public) == (3, 1234, "Notes", False)
        assert got.updated_at == backend.clock.now
        got = reg.update_wiki("alice", "notes", public=True, title="Open notes")
        assert (got.public, got.title, got.page_count) == (True, "Open notes", 3)
        assert reg.get_wiki("alice", "notes") == got
        with pytest.raises(NotFound):
            reg.update_wiki("alice", "ghost", page_count=1)


class TestMembers:
    def test_put_get_list_remove(self, reg: Registry, backend: Backend) -> None:
        _people(reg)
        added = reg.put_member("alice", "notes", "bob", "editor")
        assert (added.user_id, added.role, added.wiki_key) == ("bob", "editor", "alice/notes")
        reg.put_member("alice", "notes", "carol", "viewer")
        assert reg.get_member("alice", "notes", "bob") == added
        assert reg.get_member("alice", "notes", "alice") is None  # owners are not rows
        backend.clock.advance(hours=1)
        changed = reg.put_member("alice", "notes", "bob", "viewer")
        assert changed.role == "viewer" and changed.added_at == added.added_at
        assert [(m.user_id, m.role) for m in reg.list_members("alice", "notes")] == [
            ("bob", "viewer"),
            ("carol", "viewer"),
        ]
        reg.remove_member("alice", "notes", "bob")
        assert reg.get_member("alice", "notes", "bob") is None
        with pytest.raises(NotFound):
            reg.remove_member("alice", "notes", "bob")
        assert [m.user_id for m in reg.list_members("alice", "notes")] == ["carol"]

    def test_memberships_of_a_user(self, reg: Registry) -> None:
        _people(reg)
        reg.create_user("zed")
        reg.create_wiki("zed", "a")
        reg.create_wiki("bob", "b")
        reg.put_member("zed", "a", "carol", "editor")
        reg.put_member("alice", "notes", "carol", "viewer")
        assert [(m.wiki_key, m.role) for m in reg.list_memberships("carol")] == [
            ("alice/notes", "viewer"),
            ("zed/a", "editor"),
        ]
        assert reg.list_memberships("bob") == []

    def test_member_needs_wiki_user_role_and_not_the_owner(self, reg: Registry) -> None:
        _people(reg)
        with pytest.raises(NotFound, match="ghost"):
            reg.put_member("alice", "notes", "ghost", "viewer")
        with pytest.raises(NotFound, match="alice/nope"):
            reg.put_member("alice", "nope", "bob", "viewer")
        with pytest.raises(InvalidInput):
            reg.put_member("alice", "notes", "bob", "")
        with pytest.raises(InvalidInput, match="owner"):
            reg.put_member("alice", "notes", "alice", "viewer")
        assert reg.list_members("alice", "notes") == []

    def test_deleting_a_wiki_forgets_its_members_and_tokens(self, reg: Registry) -> None:
        _people(reg)
        reg.put_member("alice", "notes", "bob", "editor")
        _, secret = reg.create_token("bob", "alice", "notes")
        reg.delete_wiki("alice", "notes")
        reg.create_wiki("alice", "notes")
        assert reg.get_member("alice", "notes", "bob") is None
        assert reg.list_memberships("bob") == []
        assert reg.resolve_token(secret) is None
        assert reg.list_tokens("bob") == []


class TestMemberTokens:
    def test_members_hold_tokens_and_strangers_do_not(
        self, reg: Registry, backend: Backend
    ) -> None:
        _people(reg)
        reg.put_member("alice", "notes", "bob", "viewer")
        token, secret = reg.create_token("bob", "alice", "notes", name="bob's laptop")
        assert reg.resolve_token(secret).user_id == "bob"
        with pytest.raises(Forbidden):
            reg.create_token("carol", "alice", "notes")
        backend.clock.advance(seconds=1)
        a1, _ = reg.create_token("alice", "alice", "notes")
        assert [t.id for t in reg.list_wiki_tokens("alice", "notes")] == [token.id, a1.id]
        assert reg.list_wiki_tokens("alice", "ghost") == []

    def test_revoke_user_tokens(self, reg: Registry) -> None:
        _people(reg)
        reg.put_member("alice", "notes", "bob", "editor")
        _, b1 = reg.create_token("bob", "alice", "notes")
        _, b2 = reg.create_token("bob", "alice", "notes")
        _, a1 = reg.create_token("alice", "alice", "notes")
        assert reg.revoke_user_tokens("alice", "notes", "bob") == 2
        assert reg.revoke_user_tokens("alice", "notes", "bob") == 0
        assert reg.resolve_token(b1) is None and reg.resolve_token(b2) is None
        assert reg.resolve_token(a1) is not None


class TestJwksCache:
    def test_put_get_replace(self, reg: Registry, backend: Backend) -> None:
        issuer = "https://example.authkit.app"
        assert reg.get_jwks(issuer) is None
        keys = [{"kty": "RSA", "kid": "k1", "n": "abc", "e": "AQAB"}]
        reg.put_jwks(issuer, keys, backend.clock.now)
        got = reg.get_jwks(issuer)
        assert (got.issuer, got.keys, got.fetched_at) == (issuer, keys, backend.clock.now)
        reg.put_jwks(issuer, [], backend.clock.now)
        assert reg.get_jwks(issuer).keys == []
        assert reg.get_jwks("https://other.authkit.app") is None

    def test_refresh_claim_once_per_interval(self, reg: Registry, backend: Backend) -> None:
        from datetime import timedelta

        issuer = "https://example.authkit.app"
        minute = timedelta(minutes=1)
        now = backend.clock.now
        assert reg.claim_jwks_refresh(issuer, now, now - minute) is True
        assert reg.claim_jwks_refresh(issuer, now, now - minute) is False
        later = now + timedelta(seconds=59)
        assert reg.claim_jwks_refresh(issuer, later, later - minute) is False
        later = now + minute
        assert reg.claim_jwks_refresh(issuer, later, later - minute) is True
        # A claim alone is no key set; keys stored later survive the next claim.
        reg.put_jwks(issuer, [{"kid": "k"}], later)
        assert reg.claim_jwks_refresh(issuer, later + minute, later) is True
        assert reg.get_jwks(issuer).keys == [{"kid": "k"}]


def test_sqlite_file_is_private(tmp_path: Path) -> None:
    reg = SqliteRegistry(tmp_path / "registry.db", KEY)
    reg.create_user("alice")
    reg.close()
    for path in tmp_path.glob("registry.db*"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
