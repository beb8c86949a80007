"""The MCP Lambda handler driven by recorded API Gateway v2 events, warm, in one process."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from wikibot.local.dev import local_settings
from wikibot.local.gateway import FakeLambdaContext
from wikibot.mcp.handler import make_handler
from wikibot.provision import create_wiki
from wikibot.registry import open_registry
from wikibot.store import WikiStore, wiki_path

EVENT = json.loads((Path(__file__).parent.parent / "events" / "apigw_v2_post_mcp.json").read_text())


@pytest.fixture
def lambda_env(tmp_path):
    settings = local_settings(tmp_path / "data")
    registry = open_registry(settings)
    registry.create_user("alice", "alice@example.com", "Alice")
    create_wiki(settings, registry, "alice", "notes", "Notes")
    _, token = registry.create_token("alice", "alice", "notes")
    return make_handler(settings), token, settings


def event(token: str | None, body: dict) -> dict:
    e = copy.deepcopy(EVENT)
    if token is None:
        del e["headers"]["authorization"]
    else:
        e["headers"]["authorization"] = f"Bearer {token}"
    e["body"] = json.dumps(body)
    e["headers"]["content-length"] = str(len(e["body"]))
    return e


def rpc(method: str, params: dict, id: int = 1) -> dict:
    return {"jsonrpc": "2.0", "id": id, "method": method, "params": params}


def invoke(handler, e):
    # As a Lambda execution environment (and a `wikibot dev` worker) runs it: the main thread.
    return handler(e, FakeLambdaContext("mcp"))


def test_warm_invocations_in_one_process(lambda_env):
    handler, token, settings = lambda_env
    first = invoke(handler, event(token, rpc("tools/list", {})))
    assert first["statusCode"] == 200
    assert len(json.loads(first["body"])["result"]["tools"]) == 16

    call = rpc("tools/call", {"name": "write_note", "arguments": {"path": "Warm", "content": "hi"}})
    second = invoke(handler, event(token, call))
    assert second["statusCode"] == 200, second
    assert "Created Warm" in second["body"]

    third = invoke(
        handler,
        event(token, rpc("tools/call", {"name": "read_note", "arguments": {"path": "Warm"}})),
    )
    assert third["statusCode"] == 200 and "---\\nhi" in third["body"]
    store = WikiStore.open(wiki_path(settings.data_root, "alice", "notes"))
    assert store.read("Warm").text == "hi"


def test_missing_and_forged_tokens_are_refused_by_the_handler(lambda_env):
    handler, token, _ = lambda_env
    missing = invoke(handler, event(None, rpc("tools/list", {})))
    assert missing["statusCode"] == 401
    assert missing["headers"]["www-authenticate"] == 'Bearer realm="wikibot"'
    forged = invoke(handler, event(token[:-4] + "AAAA", rpc("tools/list", {})))
    assert forged["statusCode"] == 401 and "tools" not in forged["body"]


def test_oauth_metadata_is_advertised_only_when_an_authorization_server_is_configured(tmp_path):
    from wikibot.mcp.gate import Gatekeeper

    settings = local_settings(tmp_path / "data", "https://wiki.example")
    plain = Gatekeeper(settings, None)
    assert plain.challenge("a", "b", presented=False) == 'Bearer realm="wikibot"'
    oauth = Gatekeeper(settings.with_(authkit_domain="https://auth.example"), None)
    assert oauth.challenge("a", "b", presented=True) == (
        'Bearer realm="wikibot", error="invalid_token", resource_metadata='
        '"https://wiki.example/.well-known/oauth-protected-resource/a/b/mcp"'
    )


def test_the_warming_ping_returns_at_once(lambda_env):
    handler, _, _ = lambda_env
    assert handler({"wikibot": "warm"}, FakeLambdaContext("mcp")) == {"warm": True}


def path_event(path: str) -> dict:
    e = copy.deepcopy(EVENT)
    e["rawPath"] = e["requestContext"]["http"]["path"] = path
    e["requestContext"]["http"]["method"] = "GET"
    e["body"] = ""
    return e


def test_protected_resource_metadata_is_served_per_wiki(tmp_path):
    settings = local_settings(tmp_path / "data", "https://wiki.example").with_(
        authkit_domain="https://auth.example"
    )
    handler = make_handler(settings)
    found = handler(
        path_event("/.well-known/oauth-protected-resource/alice/notes/mcp"),
        FakeLambdaContext("mcp"),
    )
    assert found["statusCode"] == 200
    document = json.loads(found["body"])
    assert document["resource"] == "https://wiki.example/alice/notes/mcp"
    assert document["authorization_servers"] == ["https://auth.example"]
    root = handler(path_event("/.well-known/oauth-protected-resource"), FakeLambdaContext("mcp"))
    assert root["statusCode"] == 404 and "error" in json.loads(root["body"])
    unauthorized = handler(event(None, rpc("tools/list", {})), FakeLambdaContext("mcp"))
    assert unauthorized["statusCode"] == 401  # alice/notes does not exist here: still a 401
    assert "resource_metadata=" in unauthorized["headers"]["www-authenticate"]
    plain = make_handler(settings.with_(authkit_domain=""))
    off = plain(
        path_event("/.well-known/oauth-protected-resource/alice/notes/mcp"),
        FakeLambdaContext("mcp"),
    )
    assert off["statusCode"] == 404


def test_the_gate_keeps_a_bounded_number_of_open_stores(tmp_path):
    from wikibot.mcp.gate import MAX_OPEN_STORES, Gatekeeper

    settings = local_settings(tmp_path / "data")
    registry = open_registry(settings)
    registry.create_user("many", "many@example.com", "Many")
    count = MAX_OPEN_STORES + 2
    for i in range(count):
        create_wiki(settings, registry, "many", f"w{i}", "W")
    gate = Gatekeeper(settings, None)
    first = gate.store("many", "w0")
    assert gate.store("many", "w0") is first  # warm invocations reuse it
    for i in range(1, count):
        gate.store("many", f"w{i}")
    assert gate.store("many", f"w{count - 1}") is gate.store("many", f"w{count - 1}")
    assert gate.store("many", "w0") is not first  # evicted: the cache never grows past its bound
