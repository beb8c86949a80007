"""The MCP cold path answers exactly as FastMCP does, and never loads FastMCP to do it.

Two handlers over one registry: the normal one (cold path first) serves wiki alice/cold and a
FastMCP-only one serves wiki alice/full, which starts identical. Every request goes to both;
status, headers and JSON must match once revision ids and times (which differ between two
repositories) are masked.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wikibot.local.dev import local_settings
from wikibot.mcp.fast import build
from wikibot.mcp.handler import make_handler
from wikibot.provision import create_wiki
from wikibot.registry import open_registry

EVENT = json.loads((Path(__file__).parent.parent / "events" / "apigw_v2_post_mcp.json").read_text())
VERSIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
HEAVY = ("fastmcp", "mcp", "pydantic", "pydantic_core", "starlette", "mangum", "cryptography")


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    settings = local_settings(tmp_path_factory.mktemp("fast") / "data")
    registry = open_registry(settings)
    registry.create_user("alice", "alice@example.com", "Alice")
    registry.create_user("vic", "vic@example.com", "Vic")
    tokens = {}
    for slug in ("cold", "full"):
        create_wiki(settings, registry, "alice", slug, "Notes")
        tokens[slug] = registry.create_token("alice", "alice", slug)[1]
        registry.put_member("alice", slug, "vic", "viewer")
        tokens[f"viewer-{slug}"] = registry.create_token("vic", "alice", slug)[1]
    return make_handler(settings), make_handler(settings, cold_path=False), tokens


def event(slug: str, token: str | None, body: object, **options) -> dict:
    e = copy.deepcopy(EVENT)
    e["rawPath"] = e["requestContext"]["http"]["path"] = f"/alice/{slug}/mcp"
    e["pathParameters"] = {"user": "alice", "wiki": slug}
    headers = e["headers"]
    del headers["mcp-protocol-version"]
    if token is None:
        del headers["authorization"]
    else:
        headers["authorization"] = f"Bearer {token}"
    headers.update(options.get("headers", {}))
    e["requestContext"]["http"]["method"] = options.get("method", "POST")
    e["body"] = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return e


MASKS = [
    (re.compile(r"\b[0-9a-f]{40}\b"), "<revision>"),
    (re.compile(r"\b[0-9a-f]{7,12}\b"), "<short>"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), "<time>"),
    (re.compile(r"alice/(cold|full)"), "alice/<wiki>"),
]


def masked(text: str) -> str:
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def both(pair, body: object, *, token: str = "owner", **options) -> dict:
    """Send `body` to both paths; assert the same answer; return the cold one (parsed)."""
    cold_handler, full_handler, tokens = pair
    answers = []
    for slug, handler in (("cold", cold_handler), ("full", full_handler)):
        secret = {"owner": tokens[slug], "viewer": tokens[f"viewer-{slug}"]}.get(token, token)
        sent = body(slug) if callable(body) else body
        answers.append(handler(event(slug, secret, sent, **options), None))
    cold, full = answers
    assert cold["statusCode"] == full["statusCode"], (cold, full)
    for name in ("content-type", "www-authenticate"):
        assert cold["headers"].get(name) == full["headers"].get(name), name
    assert masked(cold["body"]) == masked(full["body"])
    if cold["headers"].get("content-length"):
        assert cold["headers"]["content-length"] == full["headers"]["content-length"]
    assert cold.get("isBase64Encoded", False) == full.get("isBase64Encoded", False)
    try:
        parsed = json.loads(cold["body"]) if cold["body"] else None
    except ValueError:
        parsed = cold["body"]  # e.g. FastMCP's plain-text 405
    revisions = {
        slug: re.findall(r"revision: ([0-9a-f]{40})", answer["body"])
        for slug, answer in (("cold", cold), ("full", full))
    }
    return {"status": cold["statusCode"], "body": parsed, "revisions": revisions}


def rpc(method: str, params: dict | None = None, id: object = 1) -> dict:
    message = {"jsonrpc": "2.0", "id": id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def call(tool: str, **arguments) -> dict:
    return rpc("tools/call", {"name": tool, "arguments": arguments})


def text_of(answer: dict) -> str:
    return answer["body"]["result"]["content"][0]["text"]


def revision(answer: dict):
    """Per wiki, the revision an answer named: a function of the wiki for `both`."""
    return lambda slug: answer["revisions"][slug][0]


def test_manifest_is_fresh():
    # Stale when a tool, docstring, annotation, permission or FastMCP itself changed:
    # run `uv run python -m wikibot.mcp.fast.build`. Built in a fresh interpreter, as the
    # release does: inside this session the build depends on what ran before (after fastmcp's
    # Client ran in tests/e2e/test_mcp_versions.py, pydantic gave one request schema otherwise).
    code = "from wikibot.mcp.fast import build; print(build.render(build.build()), end='')"
    fresh = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert fresh.stdout == build.MANIFEST.read_text()


@pytest.mark.parametrize("version", [*VERSIONS, "2099-01-01"])
def test_initialize_at_each_protocol_version(pair, version):
    params = {
        "protocolVersion": version,
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    }
    answer = both(pair, rpc("initialize", params))
    assert answer["body"]["result"]["serverInfo"]["name"] == "wikibot"


@pytest.mark.parametrize("version", [None, *VERSIONS, "2026-07-28"])
def test_stateless_methods_with_each_protocol_header(pair, version):
    headers = {"mcp-protocol-version": version} if version else {}
    notified = both(
        pair, {"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers
    )
    pinged = both(pair, rpc("ping", id="p-1"), headers=headers)
    listed = both(pair, rpc("tools/list", {}, id=7), headers=headers)
    if version != "2026-07-28":  # the modern protocol is FastMCP's alone (400 there, both ways)
        assert (notified["status"], pinged["status"]) == (202, 200)
        assert len(listed["body"]["result"]["tools"]) == 16


def test_every_tool_success_and_error_paths(pair):
    created = both(
        pair, call("write_note", path="Équipe/Plan", content="# Plan\n[[Home]] 日本語 ✓\n")
    )
    assert "Created Équipe/Plan" in text_of(created)
    read = both(pair, call("read_note", path="équipe/plan"))
    assert "日本語" in text_of(read)
    rev = revision(read)
    both(pair, call("read_note", path="Équipe/Plan", section="Plan"))
    both(
        pair,
        lambda w: call(
            "edit_note", path="Équipe/Plan", revision=rev(w), old_string="Plan", new_string="Ωmega"
        ),
    )
    stale = both(
        pair, lambda w: call("write_note", path="Équipe/Plan", content="x", revision=rev(w))
    )
    assert stale["body"]["result"]["isError"] is True
    both(pair, call("rename_note", path="Équipe/Plan", new_path="Équipe/Roadmap"))
    both(pair, call("list_notes"))
    both(pair, call("list_notes", prefix="Équipe", tag="", category=""))
    both(pair, call("search_notes", query="Ωmega", limit=5))
    both(pair, call("get_links", path="Équipe/Roadmap"))
    both(pair, call("find_orphaned_notes"))
    both(pair, call("get_history", path="Équipe/Roadmap", limit=3))
    both(pair, call("get_recent_changes", limit=4))
    both(pair, lambda w: call("diff_note", path="Équipe/Roadmap", from_revision=rev(w)))
    both(pair, lambda w: call("read_note", path="Équipe/Roadmap", revision=rev(w)[:7]))
    payload = base64.b64encode(bytes(range(256))).decode()
    both(
        pair,
        call("upload_attachment", path="Équipe/Roadmap", filename="d.bin", content_base64=payload),
    )
    both(pair, call("list_attachments", path="Équipe/Roadmap"))
    down = both(pair, call("download_attachment", path="Équipe/Roadmap", filename="d.bin"))
    assert text_of(down) == payload
    both(pair, call("delete_attachment", path="Équipe/Roadmap", filename="d.bin"))
    both(pair, call("delete_note", path="Équipe/Roadmap"))
    missing = both(pair, call("read_note", path="Équipe/Roadmap"))
    assert text_of(missing).startswith("Not found")


@pytest.mark.parametrize(
    "arguments",
    [
        {"path": "../x", "content": "x"},
        {"path": "a\x00b", "content": "x"},
        {"path": "Big", "content": "x" * 1_000_001},
        {"path": "Home", "content": "x", "revision": "zzz"},
    ],
)
def test_refused_writes(pair, arguments):
    answer = both(pair, call("write_note", **arguments))
    assert answer["body"]["result"]["isError"] is True


@pytest.mark.parametrize(
    "body",
    [
        call("read_note"),  # missing argument
        call("read_note", path=3),  # wrong type
        call("read_note", path="Home", extra="x"),  # unknown argument
        call("get_history", path="Home", limit="3"),  # "3" is coerced to 3
        call("get_history", path="Home", limit=True),
        call("no_such_tool"),
        rpc("tools/call", {"name": "read_note", "arguments": ["Home"]}),
        rpc(
            "tools/call",
            {"name": "read_note", "arguments": {"path": "Home"}, "_meta": {"progressToken": 1}},
        ),
        rpc(
            "tools/call",
            {"name": "read_note", "arguments": {"path": "Home"}, "_meta": {"progressToken": 1.5}},
        ),
        rpc(
            "tools/call",
            {"name": "read_note", "arguments": {"path": "Home"}, "_meta": {"other": 1}},
        ),
        rpc("tools/list", {"_meta": {"progressToken": "t"}}),
        rpc("tools/list", {"cursor": "x"}),
        rpc("resources/list", {}),
        rpc("prompts/list", {}),
        rpc("initialize", {"protocolVersion": "2025-06-18"}),  # no clientInfo
        rpc("ping", id=True),
        rpc("ping", id=1.5),
        [rpc("ping", id=1), rpc("tools/list", id=2)],  # a batch
        "{not json",
        '"just a string"',
        {"jsonrpc": "1.0", "id": 1, "method": "ping"},
    ],
)
def test_what_fastmcp_used_to_answer_is_answered_the_same(pair, body):
    both(pair, body)


def test_surrogates_and_non_utf8(pair):
    both(
        pair,
        '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read_note","arguments":{"path":"\\ud800"}}}',
    )
    both(
        pair,
        '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read_note","arguments":{"path":"\\u00e9t\\u00e9"}}}',
    )


@pytest.mark.parametrize(
    ("options"),
    [
        {"method": "GET"},
        {"method": "DELETE"},
        {"headers": {"accept": "text/event-stream"}},
        {"headers": {"accept": "application/json"}},
        {"headers": {"content-type": "text/plain"}},
    ],
)
def test_http_variants(pair, options):
    both(pair, rpc("ping"), **options)


def test_auth_failures_are_the_same(pair):
    assert both(pair, rpc("tools/list", {}), token=None)["status"] == 401
    assert both(pair, rpc("tools/list", {}), token="wbt_" + "x" * 43)["status"] == 401
    assert both(pair, rpc("tools/list", {}), token="not-a-token")["status"] == 401


def test_a_viewer_may_read_but_not_write(pair):
    assert not both(pair, call("read_note", path="Home"), token="viewer")["body"]["result"][
        "isError"
    ]
    for body in (
        call("write_note", path="Viewer", content="x"),
        call("delete_note", path="Home"),
        call("upload_attachment", path="Home", filename="a.bin", content_base64="AAAA"),
    ):
        refused = both(pair, body, token="viewer")
        assert refused["body"]["result"]["isError"] is True
        assert text_of(refused).startswith("Forbidden")


def test_oversized_body_is_a_json_rpc_413(pair, tmp_path):
    cold_handler, _, tokens = pair
    body = json.dumps(call("write_note", path="Huge", content="x" * (4 * 1024 * 1024)))
    answer = cold_handler(event("cold", tokens["cold"], body), None)
    assert answer["statusCode"] == 413
    assert answer["headers"]["content-type"] == "application/json"
    error = json.loads(answer["body"])
    assert error["jsonrpc"] == "2.0" and error["error"]["code"] == -32600
    assert "4,194,304" in error["error"]["message"]


COLD_PROCESS = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from wikibot.settings import from_dict
    from wikibot.mcp.handler import make_handler

    settings, event = json.loads(sys.stdin.read())
    handler = make_handler(from_dict(settings))
    after = {}
    def heavy():
        return sorted({m.split(".")[0] for m in sys.modules} & set({heavy}))
    after["init"] = heavy()
    statuses = []
    for body, headers, verb in event["bodies"]:
        e = dict(event["event"], body=body if isinstance(body, str) else json.dumps(body))
        e["headers"] = dict(e["headers"], **headers)
        e["requestContext"] = dict(e["requestContext"], http={"method": verb})
        statuses.append(handler(e, None)["statusCode"])
    after["calls"] = heavy()
    after["statuses"] = sorted(set(statuses))
    print(json.dumps(after))
    """
)


def test_no_request_imports_fastmcp_mcp_pydantic_starlette_mangum_or_cryptography(tmp_path):
    from wikibot.settings import to_dict

    settings = local_settings(tmp_path / "data")
    registry = open_registry(settings)
    registry.create_user("alice", "alice@example.com", "Alice")
    create_wiki(settings, registry, "alice", "cold", "Notes")
    token = registry.create_token("alice", "alice", "cold")[1]
    init = {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    }
    bodies = [
        (rpc("initialize", init), {}),
        ({"jsonrpc": "2.0", "method": "notifications/initialized"}, {}),
        (rpc("tools/list", {}), {}),
        (call("read_note", path="Home"), {}),
        (call("write_note", path="New", content="hello"), {}),
        (
            rpc(
                "tools/call",
                {"name": "read_note", "arguments": {"path": "New"}, "_meta": {"progressToken": 2}},
            ),
            {},
        ),
        (rpc("ping"), {}),
    ]
    # What fastmcp's own Client sends (the stateless protocol), envelope and all.
    envelope = {**ENVELOPE, "io.modelcontextprotocol/logLevel": "debug"}
    headers = {"mcp-protocol-version": MODERN}
    for method, params in [
        ("server/discover", {}),
        ("tools/list", {}),
        ("tools/call", {"name": "read_note", "arguments": {"path": "New"}}),
    ]:
        meta = dict(envelope, progressToken=1) if method == "tools/call" else envelope
        routing = dict(headers, **{"mcp-method": method})
        if method == "tools/call":
            routing["mcp-name"] = params["name"]
        bodies.append((rpc(method, dict(params, _meta=meta)), routing))
    # Everything FastMCP used to answer: bad arguments, other methods, batches, bad JSON,
    # other verbs and headers, unknown protocol versions, the stateless ladder's refusals.
    bodies += [
        (call("read_note"), {}),
        (call("get_recent_changes", limit="5"), {}),
        (call("get_recent_changes", limit=5.5), {}),
        (call("read_note", path="Home", extra=1), {}),
        (call("no_such_tool"), {}),
        (rpc("resources/list", {}), {}),
        (rpc("resources/read", {"uri": "x"}), {}),
        (rpc("prompts/get", {"name": "x"}), {}),
        (rpc("completion/complete", {}), {}),
        (rpc("logging/setLevel", {"level": "debug"}), {}),
        (rpc("nope", {}), {}),
        ([rpc("ping"), rpc("tools/list")], {}),
        ("{not json", {}),
        ('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":"\\ud800"}}', {}),
        ({"jsonrpc": "1.0", "id": 1, "method": "ping"}, {}),
        (rpc("ping"), {"accept": "text/event-stream"}),
        (rpc("ping"), {"content-type": "text/plain"}),
        (rpc("ping"), {"mcp-protocol-version": "2099-01-01"}),
        (rpc("tools/list", {"_meta": {}}), {"mcp-protocol-version": MODERN}),
        (rpc("ping", {"_meta": ENVELOPE}), {"mcp-protocol-version": MODERN, "mcp-method": "ping"}),
        ("[", {"mcp-protocol-version": MODERN}),
    ]
    bodies = [(body, headers, "POST") for body, headers in bodies]
    bodies += [(rpc("ping"), {}, verb) for verb in ("GET", "DELETE", "PUT")]
    payload = {"event": event("cold", token, ""), "bodies": bodies}
    code = COLD_PROCESS.replace("{heavy}", repr(HEAVY))
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps([to_dict(settings), payload]),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    after = json.loads(out.strip().splitlines()[-1])
    assert (after["init"], after["calls"]) == ([], [])
    assert after["statuses"] == [200, 202, 400, 404, 405, 406]  # every kind of answer was given


# -- the stateless protocol (2026-07-28), which fastmcp's own Client speaks ---------------------

MODERN = "2026-07-28"
ENVELOPE = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientInfo": {"name": "fastmcp", "version": "4.2.3"},
    "io.modelcontextprotocol/clientCapabilities": {},
}


def modern(pair, method: str, params: dict | None = None, *, token="owner", **overrides):
    """Send a stateless-protocol request (envelope in params._meta, routing headers) to both."""
    params = dict(params or {})
    headers = {"mcp-protocol-version": MODERN, "mcp-method": method}
    if method == "tools/call":
        headers["mcp-name"] = params["name"]
    headers.update(overrides.pop("headers", {}))
    envelope = overrides.pop("envelope", None)
    if envelope is None:  # what fastmcp's Client sends
        envelope = {**ENVELOPE, "io.modelcontextprotocol/logLevel": "debug"}
        if method == "tools/call":
            envelope["progressToken"] = 5

    def body(slug: str) -> dict:
        resolved = {
            k: (v(slug) if callable(v) else v) for k, v in params.get("arguments", {}).items()
        }
        sent = dict(params, _meta=envelope)
        if "arguments" in params:
            sent["arguments"] = resolved
        return {"jsonrpc": "2.0", "id": 5, "method": method, "params": sent}

    return both(pair, body, token=token, headers=headers)


def test_modern_discover_list_and_every_tool(pair):
    assert modern(pair, "server/discover")["body"]["result"]["supportedVersions"] == [MODERN]
    assert len(modern(pair, "tools/list")["body"]["result"]["tools"]) == 16
    made = modern(
        pair,
        "tools/call",
        {"name": "write_note", "arguments": {"path": "Modern/Ünï", "content": "[[Home]] ✓"}},
    )
    rev = revision(made)
    modern(pair, "tools/call", {"name": "read_note", "arguments": {"path": "Modern/Ünï"}})
    modern(
        pair,
        "tools/call",
        {
            "name": "edit_note",
            "arguments": {
                "path": "Modern/Ünï",
                "revision": rev,
                "old_string": "✓",
                "new_string": "✔",
            },
        },
    )
    stale = modern(
        pair,
        "tools/call",
        {
            "name": "write_note",
            "arguments": {"path": "Modern/Ünï", "content": "x", "revision": rev},
        },
    )
    assert stale["body"]["result"]["isError"] is True
    for name, arguments in [
        ("list_notes", {"prefix": "Modern"}),
        ("search_notes", {"query": "Home"}),
        ("get_links", {"path": "Home"}),
        ("find_orphaned_notes", {}),
        ("get_history", {"path": "Modern/Ünï", "limit": 2}),
        ("get_recent_changes", {"limit": 2}),
        ("diff_note", {"path": "Modern/Ünï", "from_revision": rev}),
        (
            "upload_attachment",
            {"path": "Modern/Ünï", "filename": "a.bin", "content_base64": "AAEC"},
        ),
        ("list_attachments", {"path": "Modern/Ünï"}),
        ("download_attachment", {"path": "Modern/Ünï", "filename": "a.bin"}),
        ("delete_attachment", {"path": "Modern/Ünï", "filename": "a.bin"}),
        ("rename_note", {"path": "Modern/Ünï", "new_path": "Modern/Other"}),
        ("delete_note", {"path": "Modern/Other"}),
        ("read_note", {"path": "Modern/Other"}),
        ("read_note", {}),
        ("read_note", {"path": 7}),
        ("no_such_tool", {}),
    ]:
        modern(pair, "tools/call", {"name": name, "arguments": arguments})


def test_modern_requests_fastmcp_used_to_answer(pair):
    modern(pair, "ping")
    modern(pair, "resources/list")
    modern(pair, "tools/list", headers={"mcp-method": "tools/call"})  # header/body mismatch
    modern(
        pair,
        "tools/call",
        {"name": "read_note", "arguments": {"path": "Home"}},
        headers={"mcp-name": "list_notes"},
    )
    modern(
        pair,
        "tools/list",
        envelope={**ENVELOPE, "io.modelcontextprotocol/protocolVersion": "2025-06-18"},
    )
    modern(
        pair, "tools/list", envelope={k: v for k, v in ENVELOPE.items() if "clientInfo" not in k}
    )
    modern(pair, "tools/list", envelope={**ENVELOPE, "io.modelcontextprotocol/unknown": 1})
    modern(pair, "tools/list", envelope={**ENVELOPE, "io.modelcontextprotocol/logLevel": 3})
    modern(pair, "tools/list", envelope=ENVELOPE)
    both(
        pair,
        {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}},
        headers={"mcp-protocol-version": MODERN, "mcp-method": "tools/list"},
    )


def test_modern_viewer_refusal_is_the_same(pair):
    refused = modern(
        pair, "tools/call", {"name": "delete_note", "arguments": {"path": "Home"}}, token="viewer"
    )
    assert text_of(refused).startswith("Forbidden")
