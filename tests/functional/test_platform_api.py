"""The platform Lambda driven with API Gateway v2 events: sign-in through the workos SDK against
the fake WorkOS on loopback (tests/fakes/authkit.py), the management API, the OpenAPI document.
"""

from __future__ import annotations

import json
import re
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from fakes.authkit import FakeAuthKit
from wikibot.local.gateway import build_event
from wikibot.platform.api import ROUTES
from wikibot.platform.handler import make_handler
from wikibot.platform.signin import safe_next
from wikibot.registry import open_registry
from wikibot.settings import Settings

PUBLIC = "https://wiki.example"


@pytest.fixture(scope="module")
def fake():
    server = FakeAuthKit().start()
    yield server
    server.stop()


def _settings(tmp_path: Path, fake: FakeAuthKit | None, **more) -> Settings:
    workos = (
        {
            "workos_client_id": fake.client_id,
            "workos_api_key": fake.api_key,
            "workos_api_url": fake.base_url,
            "authkit_domain": fake.issuer,
        }
        if fake
        else {}
    )
    return Settings(
        data_root=tmp_path,
        token_key="t" * 40,
        session_key="s" * 40,
        public_url=more.pop("public_url", PUBLIC),
        **workos,
        **more,
    )


class Client:
    """Calls the handler like API Gateway would, keeping cookies like a browser."""

    def __init__(self, handler) -> None:
        self.handler = handler
        self.jar: dict[str, str] = {}

    def call(self, method: str, path: str, body: object = None, *, headers=()):
        path, _, query = path.partition("?")
        data = b""
        hdrs = [("host", "wiki.example"), *headers]
        if isinstance(body, dict):
            data = json.dumps(body).encode()
            hdrs.append(("content-type", "application/json"))
        elif isinstance(body, str):
            data = body.encode()
            hdrs.append(("content-type", "application/x-www-form-urlencoded"))
        if self.jar:
            hdrs.append(("cookie", "; ".join(f"{k}={v}" for k, v in self.jar.items())))
        event = build_event(method, path, query, hdrs, data, source_ip="127.0.0.1")
        result = self.handler(event, None)
        for raw in result.get("cookies", []):
            parsed = SimpleCookie()
            parsed.load(raw)
            for name, morsel in parsed.items():
                if morsel["max-age"] == "0":
                    self.jar.pop(name, None)
                else:
                    self.jar[name] = morsel.value
        text = result.get("body") or ""
        try:
            payload = json.loads(text) if text else None
        except ValueError:
            payload = text
        return result["statusCode"], result.get("headers", {}), payload, result.get("cookies", [])


def _no_redirect_get(url: str) -> str:
    class Stop(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(Stop)
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as err:
        assert err.code == 302
        return err.headers["location"]
    raise AssertionError("expected a redirect")


def sign_in(client: Client, fake: FakeAuthKit, subject: str, email: str, next_: str = "/"):
    fake.sign_in_as(subject, email)
    status, headers, _, _ = client.call("GET", "/auth/login?" + urlencode({"next": next_}))
    assert status == 302
    back = _no_redirect_get(headers["location"])  # the fake AuthKit approves at once
    parsed = urlparse(back)
    assert back.startswith(f"{PUBLIC}/auth/callback?")
    return client.call("GET", f"/auth/callback?{parsed.query}")


def test_sign_in_through_workos_sets_the_session_cookie(tmp_path, fake):
    settings = _settings(tmp_path, fake)
    client = Client(make_handler(settings))
    status, headers, _, cookies = client.call("GET", "/auth/login?next=/alice/notes/")
    location = headers["location"]
    query = parse_qs(urlparse(location).query)
    assert location.startswith(f"{fake.base_url}/user_management/authorize?")
    assert query["redirect_uri"] == [f"{PUBLIC}/auth/callback"]
    assert query["provider"] == ["authkit"] and query["client_id"] == [fake.client_id]
    assert any(c.startswith("wikibot_signin=") for c in cookies)

    status, headers, _, cookies = sign_in(
        client, fake, "user_01ALICE", "Alice.Smith@example.com", "/alice/notes/"
    )
    assert (status, headers["location"]) == (302, "/alice/notes/")
    [session_cookie] = [c for c in cookies if c.startswith("wikibot_session=")]
    for attribute in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/", "Max-Age=28800"):
        assert attribute in session_cookie
    status, _, me, _ = client.call("GET", "/api/me")
    assert status == 200 and me["id"] == "alice-smith" and me["email"] == "Alice.Smith@example.com"
    user = open_registry(settings).find_user_by_subject("workos", "user_01ALICE")
    assert user.id == "alice-smith"

    # Signing in again finds the same user; another person with the same local part gets a new id.
    other = Client(client.handler)
    sign_in(other, fake, "user_01ALICE", "alice.smith@example.com")
    assert other.call("GET", "/api/me")[2]["id"] == "alice-smith"
    third = Client(client.handler)
    sign_in(third, fake, "user_01OTHER", "alice.smith@elsewhere.example")
    assert third.call("GET", "/api/me")[2]["id"] == "alice-smith-2"

    status, headers, _, _ = client.call("GET", "/auth/logout")
    assert status == 302 and "wikibot_session" not in client.jar
    assert client.call("GET", "/api/me")[0] == 401


def test_callback_refuses_forged_state_other_browsers_and_replayed_codes(tmp_path, fake):
    client = Client(make_handler(_settings(tmp_path, fake)))
    fake.sign_in_as("user_01BOB", "bob@example.com")
    _, headers, _, _ = client.call("GET", "/auth/login")
    back = urlparse(_no_redirect_get(headers["location"])).query
    params = parse_qs(back)
    stranger = Client(client.handler)  # no nonce cookie: the flow began in another browser
    assert stranger.call("GET", f"/auth/callback?{back}")[0] == 400
    forged = urlencode({"code": params["code"][0], "state": "x.y.z"})
    assert client.call("GET", f"/auth/callback?{forged}")[0] == 400
    assert client.call("GET", f"/auth/callback?{back}")[0] == 302
    client.jar["wikibot_signin"] = "replayed"
    status, _, body, _ = client.call("GET", f"/auth/callback?{back}")
    assert status == 400
    assert client.call("GET", "/auth/callback?error=access_denied")[0] == 400


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/alice/notes/", "/alice/notes/"),
        ("/a?b=c", "/a?b=c"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=y", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_next_is_never_an_open_redirect(value, expected):
    assert safe_next(value) == expected


def test_local_sign_in_only_on_loopback_without_workos(tmp_path):
    local = Client(make_handler(_settings(tmp_path, None, public_url="http://127.0.0.1:8000")))
    status, headers, _, _ = local.call("GET", "/auth/login?next=/x/")
    assert (status, headers["location"]) == (302, "/auth/dev-login?next=%2Fx%2F")
    assert local.call("GET", "/auth/dev-login")[0] == 200
    status, headers, _, cookies = local.call("POST", "/auth/dev-login", "user=carol&next=/x/")
    assert (status, headers["location"]) == (302, "/x/")
    assert "Secure" not in cookies[0] and "HttpOnly" in cookies[0]
    assert local.call("GET", "/api/me")[2]["id"] == "carol"
    assert local.call("POST", "/auth/dev-login", "user=../x")[0] == 400

    hosted = Client(make_handler(_settings(tmp_path / "h", None)))
    assert hosted.call("POST", "/auth/dev-login", "user=carol")[0] == 404
    assert hosted.call("GET", "/auth/login")[0] == 503


def _dev_client(handler, user: str) -> Client:
    client = Client(handler)
    assert client.call("POST", "/auth/dev-login", f"user={user}")[0] == 302
    return client


@pytest.fixture
def local(tmp_path):
    settings = _settings(tmp_path, None, public_url="http://127.0.0.1:8000", plan_max_wikis=1)
    return settings, make_handler(settings)


def test_wikis_members_and_tokens(local):
    settings, handler = local
    alice, bob, eve = (_dev_client(handler, u) for u in ("alice", "bob", "eve"))
    status, _, wiki, _ = alice.call("POST", "/api/wikis", {"slug": "notes", "title": "Notes"})
    assert status == 201 and wiki["key"] == "alice/notes" and wiki["page_count"] == 3
    assert wiki["mcp_url"] == "http://127.0.0.1:8000/alice/notes/mcp"
    status, _, body, _ = alice.call("POST", "/api/wikis", {"slug": "second"})
    assert status == 409 and "plan allows 1" in body["error"]
    assert alice.call("POST", "/api/wikis", {"slug": "Bad Slug"})[0] == 400

    # Strangers see nothing; members only what their role allows.
    for path in ("/api/wikis/alice/notes", "/api/wikis/alice/notes/members"):
        assert bob.call("GET", path)[0] == 403
    assert (
        alice.call("POST", "/api/wikis/alice/notes/members", {"user": "ghost", "role": "viewer"})[0]
        == 404
    )
    assert (
        alice.call("POST", "/api/wikis/alice/notes/members", {"user": "bob", "role": "boss"})[0]
        == 400
    )
    status, _, member, _ = alice.call(
        "POST", "/api/wikis/alice/notes/members", {"user": "bob", "role": "editor"}
    )
    assert (status, member["role"]) == (200, "editor")
    assert bob.call("GET", "/api/wikis/alice/notes")[2]["role"] == "editor"
    assert bob.call("GET", "/api/wikis/alice/notes/members")[0] == 403
    assert bob.call("DELETE", "/api/wikis/alice/notes")[0] == 403
    assert [w["key"] for w in bob.call("GET", "/api/wikis")[2]["wikis"]] == ["alice/notes"]
    members = alice.call("GET", "/api/wikis/alice/notes/members")[2]["members"]
    assert [(m["user"], m["role"]) for m in members] == [("alice", "owner"), ("bob", "editor")]

    status, _, token, _ = bob.call("POST", "/api/wikis/alice/notes/tokens", {"name": "laptop"})
    assert status == 201 and token["secret"].startswith("wbt_")
    listed = bob.call("GET", "/api/tokens")[2]["tokens"]
    assert [t["id"] for t in listed] == [token["id"]] and "secret" not in listed[0]
    assert eve.call("POST", "/api/wikis/alice/notes/tokens", {"name": "x"})[0] == 403
    assert eve.call("DELETE", f"/api/tokens/{token['id']}")[0] == 404

    status, _, removed, _ = alice.call("DELETE", "/api/wikis/alice/notes/members/bob")
    assert (status, removed["tokens_revoked"]) == (200, 1)
    assert bob.call("GET", "/api/wikis/alice/notes")[0] == 403
    assert bob.call("GET", "/api/tokens")[2]["tokens"][0]["live"] is False

    assert alice.call("PATCH", "/api/wikis/alice/notes", {"public": True})[2]["public"] is True
    assert eve.call("GET", "/api/wikis/alice/notes")[2]["role"] == "viewer"
    assert alice.call("PATCH", "/api/wikis/alice/notes", {"owner": "eve"})[0] == 400
    assert alice.call("DELETE", "/api/wikis/alice/notes")[0] == 204
    assert alice.call("GET", "/api/wikis/alice/notes")[0] == 403
    assert not (settings.data_root / "alice" / "notes").exists()
    assert alice.call("POST", "/api/wikis", {"slug": "again"})[0] == 201


def test_api_refuses_without_session_and_bearer_tokens(local):
    _, handler = local
    anon = Client(handler)
    for method, path in [("GET", "/api/me"), ("GET", "/api/wikis"), ("POST", "/api/wikis")]:
        assert anon.call(method, path, {} if method == "POST" else None)[0] == 401
    status, _, body, _ = anon.call("GET", "/api/wikis", headers=[("authorization", "Bearer wbt_x")])
    assert status == 401 and "session" in body["error"]
    alice = _dev_client(handler, "alice")
    status, _, body, _ = alice.call("POST", "/api/wikis", "slug=x")  # a cross-site form post
    assert status == 400 and "application/json" in body["error"]
    assert alice.call("PUT", "/api/wikis")[0] == 405
    assert alice.call("GET", "/api/nothing")[0] == 404


def test_openapi_document_lists_exactly_the_served_routes(local):
    _, handler = local
    status, _, doc, _ = Client(handler).call("GET", "/api/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.1")
    documented = {(method.upper(), path) for path, ops in doc["paths"].items() for method in ops}
    served = {(method, path) for method, path, _ in ROUTES}
    assert documented == served
    for path, ops in doc["paths"].items():
        names = set(re.findall(r"\{(\w+)\}", path))
        for op in ops.values():
            assert {p["name"] for p in op.get("parameters", [])} == names
            assert op["responses"]


def test_session_is_renewed_past_half_its_life(tmp_path):
    settings = _settings(tmp_path, None, public_url="http://127.0.0.1:8000")
    handler = make_handler(settings)
    from wikibot.auth import session

    client = Client(handler)
    open_registry(settings).create_user("alice")
    import time

    client.jar["wikibot_session"] = session.mint(
        "alice", settings.session_key, ttl_seconds=100, now=int(time.time()) - 60
    )
    _, _, _, cookies = client.call("GET", "/api/me")
    assert any(c.startswith("wikibot_session=") for c in cookies)
    _, _, _, cookies = client.call("GET", "/api/me")
    assert cookies == []  # fresh: nothing to renew
    client.jar["wikibot_session"] = session.mint(
        "alice", settings.session_key, ttl_seconds=100, now=int(time.time()) - 101
    )
    assert client.call("GET", "/api/me")[0] == 401


def test_jwks_sync_event_fills_the_cache(tmp_path, fake):
    settings = _settings(tmp_path, fake)
    handler = make_handler(settings)
    assert handler({"wikibot": "jwks-sync"}, None) == {"jwks_keys": len(fake.keys)}
    assert handler({"wikibot": "jwks"}, None) == {"jwks_keys": len(fake.keys)}  # the schedule
    assert handler({"source": "aws.events", "detail-type": "Scheduled Event"}, None)
    cached = open_registry(settings).get_jwks(fake.issuer)
    assert [k["kid"] for k in cached.keys] == [k.kid for k in fake.keys]
    assert handler({"wikibot": "warm"}, None) == {"warm": True}
