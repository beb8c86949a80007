"""The one access policy: role table, Otterwiki mapping, and the Authorizer's doors."""

from __future__ import annotations

from pathlib import Path

import pytest

from wikibot.auth import Authorizer, policy, session
from wikibot.errors import (
    AlreadyExists,
    Conflict,
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotFound,
    TooLarge,
    Unauthorized,
    http_status,
)
from wikibot.registry.sqlite import SqliteRegistry
from wikibot.settings import Settings

KEY = "token-key-0123456789abcdef0123456789"
SESSION_KEY = "s" * 40


@pytest.fixture
def world(tmp_path: Path):
    reg = SqliteRegistry(tmp_path / "r.db", KEY)
    for user in ("alice", "bob", "vera", "eddie"):
        reg.create_user(user, email=f"{user}@example.com", name=user.title())
    reg.create_wiki("alice", "notes")
    reg.create_wiki("bob", "diary")
    reg.create_wiki("bob", "open", public=True)
    reg.put_member("alice", "notes", "vera", "viewer")
    reg.put_member("alice", "notes", "eddie", "editor")
    settings = Settings(data_root=tmp_path, token_key=KEY, session_key=SESSION_KEY)
    yield reg, Authorizer(reg, settings)
    reg.close()


def test_role_table():
    assert policy.ROLES["viewer"] == {"read"}
    assert policy.ROLES["editor"] == {"read", "write", "delete", "upload"}
    assert policy.ROLES["owner"] == set(policy.PERMISSIONS)
    assert policy.otterwiki_permissions("viewer") == "READ"
    assert policy.otterwiki_permissions("editor") == "READ WRITE UPLOAD"
    assert policy.otterwiki_permissions("owner") == "READ WRITE UPLOAD ADMIN"
    assert policy.otterwiki_permissions(None) == ""
    assert policy.allows("owner", "admin")  # the old name still means manage
    with pytest.raises(InvalidInput, match="unknown permission"):
        policy.allows("owner", "fly")


@pytest.mark.parametrize(
    ("user", "role", "allowed"),
    [
        ("alice", "owner", {"read", "write", "delete", "upload", "manage"}),
        ("eddie", "editor", {"read", "write", "delete", "upload"}),
        ("vera", "viewer", {"read"}),
    ],
)
def test_each_role_through_every_credential(world, user, role, allowed):
    reg, auth = world
    _, secret = reg.create_token(user, "alice", "notes")
    cookie = session.mint(user, SESSION_KEY)
    for access in (
        auth.resolve(secret, "alice", "notes"),
        auth.resolve_basic(secret, "alice", "notes"),
        auth.resolve_session(cookie, "alice", "notes"),
    ):
        assert (access.user_id, access.role) == (user, role)
        assert access.permissions == allowed
        assert access.email == f"{user}@example.com"
        for perm in policy.PERMISSIONS:
            if perm in allowed:
                access.require(perm)
            else:
                with pytest.raises(Forbidden, match=f"cannot {perm}"):
                    access.require(perm)


def test_strangers_and_anonymous(world):
    reg, auth = world
    with pytest.raises(Unauthorized):
        auth.resolve(None, "alice", "notes")
    with pytest.raises(Unauthorized):  # a missing wiki looks like a private one
        auth.resolve(None, "alice", "ghost")
    with pytest.raises(Unauthorized):
        auth.resolve_session(session.mint("bob", "x" * 40), "alice", "notes")
    with pytest.raises(Forbidden):
        auth.resolve_session(session.mint("bob", SESSION_KEY), "alice", "notes")
    with pytest.raises(Forbidden):
        auth.resolve_session(session.mint("bob", SESSION_KEY), "alice", "ghost")
    anon = auth.resolve(None, "bob", "open")
    assert (anon.role, anon.anonymous, anon.otterwiki_permissions) == ("viewer", True, "READ")
    with pytest.raises(Forbidden, match="Anonymous"):
        anon.require("write")
    # A signed-in stranger reads a public wiki too, but only reads.
    stranger = auth.resolve_session(session.mint("vera", SESSION_KEY), "bob", "open")
    assert stranger.role == "viewer"


def test_tokens_follow_membership(world):
    reg, auth = world
    with pytest.raises(Forbidden):
        reg.create_token("bob", "alice", "notes")
    _, secret = reg.create_token("eddie", "alice", "notes")
    assert auth.resolve(secret, "alice", "notes").role == "editor"
    with pytest.raises(Forbidden):  # a token is for one wiki only
        auth.resolve(secret, "bob", "open")
    reg.put_member("alice", "notes", "eddie", "viewer")
    assert auth.resolve(secret, "alice", "notes").role == "viewer"
    reg.remove_member("alice", "notes", "eddie")
    with pytest.raises(Forbidden):
        auth.resolve(secret, "alice", "notes")
    with pytest.raises(Unauthorized):
        auth.resolve_basic("hunter2", "alice", "notes")
    with pytest.raises(Unauthorized):
        auth.resolve("a.b.c", "alice", "notes")  # no AuthKit configured: not a credential


def test_settings_none_keeps_the_registry_key(world):
    reg, _ = world
    _, secret = reg.create_token("alice", "alice", "notes")
    assert Authorizer(reg).resolve(secret, "alice", "notes").role == "owner"


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (Unauthorized("x"), 401),
        (Forbidden("x"), 403),
        (NotFound("x"), 404),
        (AlreadyExists("x"), 409),
        (Conflict("x"), 409),
        (LimitExceeded("x"), 409),
        (TooLarge("x"), 413),
        (InvalidInput("x"), 400),
        (RuntimeError("x"), 500),
    ],
)
def test_http_status(exc, status):
    assert http_status(exc) == status
