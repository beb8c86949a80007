"""Claude.ai's OAuth discovery path against `wikibot dev`, with the fake AuthKit as the AS.

The steps a Claude.ai connector takes (MCP authorization spec 2025-06-18/2025-11-25): an
unauthenticated `initialize` gets 401 with an absolute `resource_metadata`; the client fetches
that RFC 9728 document, then the authorization server's metadata, runs authorization code +
PKCE with `resource` = the wiki's MCP URL (RFC 8707), and calls MCP with the RS256 token. When
the owner removes the user's role, the same live token is refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from fakes.authkit import FakeAuthKit
from fakes.devworld import INITIALIZE, http, mcp, start_dev_world

CLAUDE_CLIENT = "https://claude.ai/oauth/mcp-oauth-client-metadata"
CLAUDE_CALLBACK = "https://claude.ai/api/mcp/auth_callback"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    fake = FakeAuthKit().start()
    dev = start_dev_world(tmp_path_factory.mktemp("oauth") / "data", fake)
    try:
        alice, eddie = dev.browser(), dev.browser()
        assert alice.sign_in(fake, "user_ALICE", "alice@example.com") == "alice"
        assert eddie.sign_in(fake, "user_EDDIE", "eddie@example.com") == "eddie"
        assert alice.api("POST", "/api/wikis", {"slug": "notes"})[0] == 201
        # Creating the wiki registered its MCP URL as an AuthKit resource indicator.
        assert [r["uri"] for r in fake.resources] == [f"{dev.base}/alice/notes/mcp"]
        member = {"user": "eddie", "role": "editor"}
        assert alice.api("POST", "/api/wikis/alice/notes/members", member)[0] == 200
        fake.sign_in_as("user_EDDIE", "eddie@example.com")  # who approves at AuthKit
        yield dev, fake, alice
    finally:
        dev.stop()
        fake.stop()


def test_claude_ai_discovery_then_refusal_after_the_role_is_removed(world):
    dev, fake, alice = world
    path = "/alice/notes/mcp"
    mcp_url = dev.base + path

    # 1. initialize without a token: 401 (not 200, not 403) and where to find the metadata.
    status, headers, _ = mcp(dev.base, path, "initialize", INITIALIZE)
    assert status == 401
    found = re.search(r'resource_metadata="([^"]+)"', headers["www-authenticate"])
    assert headers["www-authenticate"].startswith("Bearer ") and found
    metadata_url = found.group(1)
    assert metadata_url == f"{dev.base}/.well-known/oauth-protected-resource/alice/notes/mcp"

    # 2. The protected-resource metadata, fetched at the advertised (absolute) URL.
    status, _, body = http("GET", metadata_url)
    resource = json.loads(body)
    assert status == 200
    assert resource["resource"] == mcp_url
    assert resource["authorization_servers"] == [fake.issuer]
    assert resource["bearer_methods_supported"] == ["header"]

    # 3. The authorization server's metadata: CIMD for Claude requires both of these.
    as_url = resource["authorization_servers"][0] + "/.well-known/oauth-authorization-server"
    server = json.loads(http("GET", as_url)[2])
    assert server["client_id_metadata_document_supported"] is True
    assert "none" in server["token_endpoint_auth_methods_supported"]

    # 4. Authorization code + PKCE (S256) with the wiki's MCP URL as the resource indicator.
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "response_type": "code",
        "client_id": CLAUDE_CLIENT,
        "redirect_uri": CLAUDE_CALLBACK,
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
        "resource": resource["resource"],
        "state": "claude-state",
    }
    status, headers, _ = http("GET", server["authorization_endpoint"] + "?" + urlencode(query))
    back = urlparse(headers["location"])
    assert status == 302 and f"{back.scheme}://{back.netloc}{back.path}" == CLAUDE_CALLBACK
    params = parse_qs(back.query)
    assert params["state"] == ["claude-state"]
    form = urlencode(
        {
            "grant_type": "authorization_code",
            "code": params["code"][0],
            "code_verifier": verifier,
            "client_id": CLAUDE_CLIENT,
            "redirect_uri": CLAUDE_CALLBACK,
            "resource": resource["resource"],
        }
    ).encode()
    status, _, body = http(
        "POST",
        server["token_endpoint"],
        form,
        {"content-type": "application/x-www-form-urlencoded"},
    )
    assert status == 200
    access_token = json.loads(body)["access_token"]

    # 5. MCP with the RS256 token: initialize and a tool call as Eddie, the editor.
    status, _, body = mcp(dev.base, path, "initialize", INITIALIZE, access_token)
    assert status == 200 and b"serverInfo" in body
    args = {"name": "write_note", "arguments": {"path": "From Claude", "content": "hi"}}
    status, _, body = mcp(dev.base, path, "tools/call", args, access_token)
    assert status == 200 and b'"isError":false' in body.replace(b" ", b"")
    # The same token is not good for another wiki's MCP URL (its audience is this one).
    assert alice.api("POST", "/api/wikis/alice/notes/tokens", {"name": "x"})[0] == 201
    status, _, _ = mcp(dev.base, "/eddie/notes/mcp", "initialize", INITIALIZE, access_token)
    assert status == 401

    # 6. The owner removes Eddie: the live token is refused from the next request on.
    status, removed = alice.api("DELETE", "/api/wikis/alice/notes/members/eddie")
    assert status == 200, removed
    status, headers, body = mcp(dev.base, path, "initialize", INITIALIZE, access_token)
    assert status == 403 and b"serverInfo" not in body


def test_metadata_is_served_for_any_well_formed_name_and_refuses_bad_ones(world):
    dev, _, _ = world
    status, _, body = http("GET", f"{dev.base}/.well-known/oauth-protected-resource/zed/none/mcp")
    assert status == 200 and json.loads(body)["resource"] == f"{dev.base}/zed/none/mcp"
    status, _, _ = http("GET", f"{dev.base}/.well-known/oauth-protected-resource/Bad%20Name/x/mcp")
    assert status in (400, 404)
