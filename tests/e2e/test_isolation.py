"""The isolation matrix: every kind of caller against every door of one private wiki.

A real `wikibot dev` (handlers in worker processes) signs users in through the fake AuthKit
(tests/fakes/authkit.py; WorkOS cannot be reached here). Alice owns `alice/notes`; Bob owns
`bob/diary` and is a stranger to Alice's wiki; Vera is a viewer and Eddie an editor of it. Each
wiki holds a secret page. Every cell checks the status, and that no response ever carries the
other wiki's secret (nor Alice's, unless the caller may read).

Adding a door is one entry in `DOORS` and one column in `EXPECTED`.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from fakes.authkit import FakeAuthKit
from fakes.devworld import Browser, DevWorld, http, mcp, start_dev_world
from wikibot.auth import session

ALICE_SECRET = "ALICE-ONLY-7f3a"
BOB_SECRET = "BOB-ONLY-91c2"
WIKI = "/alice/notes/mcp"


@dataclass
class Credential:
    """What one caller presents: a bearer token and/or browser cookies."""

    bearer: str | None = None
    cookies: dict[str, str] | None = None


@dataclass
class World:
    dev: DevWorld
    fake: FakeAuthKit
    creds: dict[str, Credential]


def _tool(base: str, name: str, arguments: dict, cred: Credential) -> tuple[int, bytes]:
    status, _, body = mcp(
        base, WIKI, "tools/call", {"name": name, "arguments": arguments}, cred.bearer
    )
    return status, body


def _outcome(status: int, body: bytes) -> str | int:
    """200 answers are "ok" or "denied" (a tool error naming the role); others: the status."""
    if status != 200:
        return status
    text = body.decode()
    return "denied" if '"isError":true' in text.replace(" ", "") else "ok"


def mcp_read(world: World, cred: Credential) -> tuple[str | int, bytes]:
    status, body = _tool(world.dev.base, "read_note", {"path": "Secret"}, cred)
    return _outcome(status, body), body


def mcp_write(world: World, cred: Credential) -> tuple[str | int, bytes]:
    args = {"path": f"Scratch {time.monotonic_ns()}", "content": "hello"}
    status, body = _tool(world.dev.base, "write_note", args, cred)
    return _outcome(status, body), body


def _api(world: World, cred: Credential, path: str) -> tuple[str | int, bytes]:
    browser = Browser(world.dev.base, dict(cred.cookies or {}))
    headers = {"authorization": f"Bearer {cred.bearer}"} if cred.bearer else {}
    status, _, body = browser.request("GET", path, headers=headers)
    return ("ok" if status == 200 else status), body


def api_read(world: World, cred: Credential) -> tuple[str | int, bytes]:
    return _api(world, cred, "/api/wikis/alice/notes")


def api_manage(world: World, cred: Credential) -> tuple[str | int, bytes]:
    return _api(world, cred, "/api/wikis/alice/notes/members")


def web_read(world: World, cred: Credential) -> tuple[str | int, bytes]:
    return _api(world, cred, "/alice/notes/Secret")


def git_fetch(world: World, cred: Credential) -> tuple[str | int, bytes]:
    """The first request of `git clone`: refs advertisement, token as the Basic password."""
    browser = Browser(world.dev.base, {})
    headers = {}
    if cred.bearer:
        basic = base64.b64encode(f"git:{cred.bearer}".encode()).decode()
        headers["authorization"] = f"Basic {basic}"
    path = "/alice/notes.git/info/refs?service=git-upload-pack"
    status, _, body = browser.request("GET", path, headers=headers)
    return ("ok" if status == 200 else status), body


DOORS: dict[str, Callable[[World, Credential], tuple[str | int, bytes]]] = {
    "mcp read": mcp_read,
    "mcp write": mcp_write,
    "api read": api_read,
    "api manage": api_manage,
    "web read": web_read,
    "git fetch": git_fetch,
}
# caller -> expected outcome per door, in DOORS order.
EXPECTED: dict[str, tuple[str | int, ...]] = {
    "anonymous": (401, 401, 401, 401, 401, 401),
    "another user": (403, 403, 403, 403, 403, 401),  # git takes API tokens only
    "viewer": ("ok", "denied", "ok", 403, "ok", "ok"),
    "editor": ("ok", "ok", "ok", 403, "ok", "ok"),
    "owner": ("ok", "ok", "ok", "ok", "ok", "ok"),
    "revoked token": (401, 401, 401, 401, 401, 401),
    "token of another wiki": (403, 403, 401, 401, 403, 403),
    "expired session": (401, 401, 401, 401, 401, 401),
    "AuthKit token for another wiki's audience": (401, 401, 401, 401, 401, 401),
}
CAN_READ = {"viewer", "editor", "owner"}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    fake = FakeAuthKit().start()
    dev = start_dev_world(tmp_path_factory.mktemp("isolation") / "data", fake)
    try:
        people = {}
        for who in ("alice", "bob", "vera", "eddie"):
            browser = dev.browser()
            assert browser.sign_in(fake, f"user_{who.upper()}", f"{who}@example.com") == who
            people[who] = browser
        alice, bob = people["alice"], people["bob"]
        assert alice.api("POST", "/api/wikis", {"slug": "notes"})[0] == 201
        assert bob.api("POST", "/api/wikis", {"slug": "diary"})[0] == 201
        for who, role in (("vera", "viewer"), ("eddie", "editor")):
            assert (
                alice.api("POST", "/api/wikis/alice/notes/members", {"user": who, "role": role})[0]
                == 200
            )

        def token(browser: Browser, wiki: str) -> str:
            status, made = browser.api("POST", f"/api/wikis/{wiki}/tokens", {"name": "e2e"})
            assert status == 201, made
            return made["secret"]

        tokens = {who: token(people[who], "alice/notes") for who in ("alice", "vera", "eddie")}
        bob_token = token(bob, "bob/diary")
        revoked = token(alice, "alice/notes")
        revoked_id = alice.api("GET", "/api/tokens")[1]["tokens"][-1]["id"]
        assert alice.api("DELETE", f"/api/tokens/{revoked_id}")[0] == 200
        # The secrets each wiki holds.
        for secret, tok, path in (
            (ALICE_SECRET, tokens["alice"], WIKI),
            (BOB_SECRET, bob_token, "/bob/diary/mcp"),
        ):
            args = {"name": "write_note", "arguments": {"path": "Secret", "content": secret}}
            status, _, body = mcp(dev.base, path, "tools/call", args, tok)
            assert status == 200 and b'isError":true' not in body.replace(b" ", b""), body
        expired = session.mint(
            "alice", dev.secrets()["session_key"], ttl_seconds=60, now=int(time.time()) - 3600
        )
        other_audience = fake.access_token("user_ALICE", f"{dev.base}/bob/diary/mcp")
        creds = {
            "anonymous": Credential(),
            "another user": Credential(
                fake.access_token("user_BOB", dev.base + WIKI), dict(bob.cookies)
            ),
            "viewer": Credential(tokens["vera"], dict(people["vera"].cookies)),
            "editor": Credential(tokens["eddie"], dict(people["eddie"].cookies)),
            "owner": Credential(tokens["alice"], dict(alice.cookies)),
            "revoked token": Credential(revoked),
            "token of another wiki": Credential(bob_token),
            "expired session": Credential(None, {"wikibot_session": expired}),
            "AuthKit token for another wiki's audience": Credential(other_audience),
        }
        yield World(dev, fake, creds)
    finally:
        dev.stop()
        fake.stop()


@pytest.mark.parametrize("caller", list(EXPECTED))
def test_isolation_matrix(world: World, caller: str) -> None:
    cred = world.creds[caller]
    got = {}
    for door, attempt in DOORS.items():
        outcome, body = attempt(world, cred)
        got[door] = outcome
        assert BOB_SECRET.encode() not in body, f"{caller} via {door} saw Bob's wiki"
        if caller not in CAN_READ or outcome != "ok":
            assert ALICE_SECRET.encode() not in body, f"{caller} via {door} saw Alice's page"
        if door in ("mcp read", "web read") and outcome == "ok":
            assert ALICE_SECRET.encode() in body  # the read really happened
    assert got == dict(zip(DOORS, EXPECTED[caller], strict=True))


def test_owner_sees_the_members_and_the_stranger_sees_nothing(world: World) -> None:
    owner = world.creds["owner"]
    outcome, body = api_manage(world, owner)
    members = {m["user"]: m["role"] for m in json.loads(body)["members"]}
    assert (outcome, members) == ("ok", {"alice": "owner", "vera": "viewer", "eddie": "editor"})
    status, _, body = http("GET", world.dev.base + "/api/wikis")
    assert status == 401 and b"notes" not in body
