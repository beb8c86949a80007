"""Everything but tool arguments: the cold path answers each kind of request as FastMCP does.

Methods FastMCP serves or refuses (with valid and invalid params), notifications, responses,
batches, JSON that does not parse, bodies that are not JSON-RPC, HTTP verbs, Accept and
Content-Type variants, every protocol version (handshake, stateless, unknown) and the stateless
protocol's envelope ladder. Each request goes to both handlers of `test_fastpath.pair`.
"""

from __future__ import annotations

import base64
import json
import random

import pytest
from test_fastpath import ENVELOPE, MODERN, VERSIONS, both, pair  # noqa: F401 - `pair` is a fixture

METHODS = [
    "ping",
    "tools/list",
    "initialize",
    "resources/list",
    "resources/templates/list",
    "prompts/list",
    "resources/read",
    "prompts/get",
    "completion/complete",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
    "server/discover",
    "subscriptions/listen",
    "tasks/list",
    "roots/list",
    "notifications/initialized",
    "no/such/method",
    "",
    "émoji/🙂",
]
CLIENT = {"name": "t", "version": "1"}
PARAMS = [
    None,
    {},
    {"cursor": "next"},
    {"cursor": 5},
    {"_meta": 5},
    {"_meta": {"progressToken": 1.5}},
    {"_meta": {"progressToken": True, "other": [1]}},
    {"uri": "wiki://Home"},
    {"uri": 5},
    {"name": "x"},
    {"name": "x", "arguments": {"a": 1}},
    {"name": "x", "arguments": {"a": "b"}},
    {"level": "debug"},
    {"level": "nope"},
    {"ref": {"type": "ref/prompt", "name": "x"}, "argument": {"name": "a", "value": "b"}},
    {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": CLIENT},
    {"protocolVersion": "1999-01-01", "capabilities": {"roots": {}}, "clientInfo": CLIENT},
    {"protocolVersion": "2025-06-18", "capabilities": {}},
    {"protocolVersion": 2025, "capabilities": {}, "clientInfo": CLIENT},
    {"protocolVersion": "2025-06-18", "capabilities": [], "clientInfo": {"name": 1}},
]


def rpc(method: object, params: object = None, **fields) -> dict:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, **fields}
    if params is not None:
        body["params"] = params
    return body


@pytest.mark.parametrize("params", PARAMS, ids=range(len(PARAMS)))
@pytest.mark.parametrize("method", METHODS)
def test_methods_and_params(pair, method, params):  # noqa: F811
    both(pair, rpc(method, params))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "body",
    [
        rpc("ping"),
        rpc("resources/list", {}),
        rpc("tools/list", {"cursor": "x"}),
        rpc("logging/setLevel", {"level": "error"}),
        rpc("initialize", PARAMS[15]),
        rpc("completion/complete", PARAMS[14]),
        rpc("nope"),
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
    ],
    ids=range(8),
)
def test_methods_at_each_handshake_version(pair, version, body):  # noqa: F811
    both(pair, body, headers={"mcp-protocol-version": version})


ENVELOPES = [
    [],
    [rpc("ping")],
    [rpc("ping"), {"jsonrpc": "2.0", "method": "notifications/initialized"}],
    "text",
    5,
    1.5,
    None,
    True,
    {},
    {"jsonrpc": "1.0", "id": 1, "method": "ping"},
    {"jsonrpc": 2.0, "id": 1, "method": "ping"},
    {"id": 1, "method": "ping"},
    {"jsonrpc": "2.0", "id": 1},
    {"jsonrpc": "2.0", "method": 5},
    {"jsonrpc": "2.0", "id": 1, "method": ["ping"]},
    {"jsonrpc": "2.0", "id": 1, "method": "ping", "params": [1]},
    {"jsonrpc": "2.0", "id": 1, "method": "ping", "params": "x" * 80},
    {"jsonrpc": "2.0", "id": 1, "method": "ping", "params": None},
    {"jsonrpc": "2.0", "id": 1, "method": "ping", "extra": {"é": 1}},
    {"jsonrpc": "2.0", "id": None, "method": "ping"},
    {"jsonrpc": "2.0", "id": 1.5, "method": "ping"},
    {"jsonrpc": "2.0", "id": True, "method": "ping"},
    {"jsonrpc": "2.0", "id": [1], "method": 5},
    {"jsonrpc": "2.0", "id": "", "method": "ping"},
    {"jsonrpc": "2.0", "id": "é🙂", "method": "ping"},
    {"jsonrpc": "2.0", "id": 10**30, "method": "ping"},
    {"jsonrpc": "2.0", "id": -1, "method": "ping"},
    {"jsonrpc": "2.0", "id": 1, "result": {}},
    {"jsonrpc": "2.0", "id": 1, "method": "ping", "result": {}},  # request and response at once
    {"jsonrpc": "2.0", "id": 1, "method": "ping", "params": 5, "result": {}},
    {"jsonrpc": "2.0", "id": 1, "method": "ping", "params": 5, "error": {"code": 1, "message": ""}},
    {"jsonrpc": "2.0", "id": 1, "result": 5},
    {"jsonrpc": "2.0", "id": 1, "error": {"code": 1, "message": "x"}},
    {"jsonrpc": "2.0", "id": None, "error": {"code": "1", "message": "x"}},
    {"jsonrpc": "2.0", "id": 1, "error": {"code": 1.5}},
    {"jsonrpc": "2.0", "id": 1, "error": 5},
    {"jsonrpc": "2.0", "id": {"a": 1}, "error": {"message": 5}},
    {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}},
    {"jsonrpc": "2.0", "method": "notifications/initialized", "params": [1]},
    {"jsonrpc": "2.0", "method": "anything/else"},
]


@pytest.mark.parametrize("body", ENVELOPES, ids=range(len(ENVELOPES)))
def test_bodies_that_are_not_one_request(pair, body):  # noqa: F811
    both(pair, body)


def not_json() -> list[str]:
    """Malformed bodies: a fixed list, then random edits of a real request (seeded)."""
    fixed = [
        "",
        "   ",
        "{not json",
        "{",
        "[",
        '{"jsonrpc": "2.0",}',
        '{"jsonrpc" "2.0"}',
        '{"a": 1} x',
        '"\\ud800"',
        '{"a": "\\q"}',
        '{"a": "line\nbreak"}',
        '{"a": 01}',
        '{"a": tru}',
        "[" * 300,
        "\ufeff{}",
        '{"a": "é\\udc00"}',
    ]
    base = json.dumps(rpc("tools/call", {"name": "read_note", "arguments": {"path": "é x"}}))
    chance = random.Random(11)
    for _ in range(60):
        text = list(base)
        for _ in range(chance.randint(1, 3)):
            k = chance.randrange(len(text))
            if chance.random() < 0.5:
                del text[k]
            else:
                text.insert(k, chance.choice('{}[]",:\\ 0x-.eu\n'))
        fixed.append("".join(text))
    return fixed


@pytest.mark.parametrize("body", not_json(), ids=range(len(not_json())))
def test_bodies_that_do_not_parse(pair, body):  # noqa: F811
    both(pair, body)
    both(pair, body, headers={"mcp-protocol-version": MODERN, "mcp-method": "ping"})


PING = b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":%s}}'
DIGITS = b"1" * 4300


@pytest.mark.parametrize(
    "raw",
    [
        b'{"jsonrpc":"2.0","id":1,"method":"ping"}\xff',
        PING % b'"\xff"',
        PING % b'"abc\xc3"',
        PING % b'"\\u00e9\xed\xa0\x80"',
        PING % b'"\\ud83d\\ude00 \xf4\x90\x80\x80"',
        b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"\xe2\x82":1}}',
        PING % DIGITS,  # 4,300 digits: both parsers read it
        PING % (b"-" + DIGITS),  # the sign counts for jiter, not for Python
        PING % (DIGITS + b"1"),
        PING % (DIGITS + b"1.5"),
        PING % (b"0." + DIGITS * 2),
    ],
    ids=range(11),
)
@pytest.mark.parametrize("version", [None, MODERN])
def test_bodies_python_and_jiter_read_differently(pair, raw, version):  # noqa: F811
    cold_handler, full_handler, tokens = pair
    from test_fastpath import event

    headers = {"mcp-protocol-version": version, "mcp-method": "ping"} if version else {}
    answers = []
    for slug, handler in (("cold", cold_handler), ("full", full_handler)):
        e = event(slug, tokens[slug], "", headers=headers)
        e["body"] = base64.b64encode(raw).decode()
        e["isBase64Encoded"] = True
        answers.append(handler(e, None))
    assert answers[0]["statusCode"] == answers[1]["statusCode"]
    assert answers[0]["body"] == answers[1]["body"]


@pytest.mark.parametrize("verb", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "POST"])
@pytest.mark.parametrize("version", [None, "2025-06-18", MODERN, "2099-01-01"])
def test_http_verbs_at_each_era(pair, verb, version):  # noqa: F811
    headers = {"mcp-protocol-version": version, "mcp-method": "ping"} if version else {}
    both(pair, rpc("ping", {"_meta": ENVELOPE}), method=verb, headers=headers)


@pytest.mark.parametrize(
    "headers",
    [
        {"accept": "application/json"},
        {"accept": "*/*"},
        {"accept": "application/*"},
        {"accept": "text/event-stream"},
        {"accept": "text/html, application/json;q=0.9"},
        {"accept": ""},
        {"content-type": "text/plain"},
        {"content-type": ""},
        {"content-type": "application/json; charset=utf-8"},
        {"content-type": "Application/JSON"},
        {"content-type": "application/jsonx"},
        {"content-type": "application/json-seq"},
        {"content-type": "text/plain, application/json"},
    ],
    ids=range(13),
)
@pytest.mark.parametrize("version", [None, MODERN])
def test_accept_and_content_type(pair, headers, version):  # noqa: F811
    routing = {"mcp-protocol-version": version, "mcp-method": "tools/list"} if version else {}
    both(pair, rpc("tools/list", {"_meta": ENVELOPE}), headers={**routing, **headers})


def modern_body(method: str, params: dict | None = None, meta: object = ENVELOPE) -> dict:
    sent = dict(params or {})
    if meta is not None:
        sent["_meta"] = meta
    return rpc(method, sent)


def encoded(name: str) -> str:
    return "=?base64?" + base64.b64encode(name.encode()).decode() + "?="


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (modern_body(m, p), {"mcp-method": m, **({"mcp-name": n} if n else {})})
        for m, p, n in [
            ("server/discover", {}, None),
            ("tools/list", {"cursor": "x"}, None),
            ("tools/list", {"cursor": 5}, None),
            ("resources/list", {}, None),
            ("resources/templates/list", {}, None),
            ("prompts/list", {}, None),
            ("resources/read", {"uri": "wiki://x"}, "wiki://x"),
            ("resources/read", {}, None),
            ("prompts/get", {"name": "p"}, "p"),
            ("prompts/get", {"name": "p"}, encoded("p")),
            ("tools/call", {"name": "read_note", "arguments": {"path": "x"}}, encoded("read_note")),
            ("tools/call", {"name": "read_note"}, "=?base64?bad?="),
            ("completion/complete", PARAMS[14], None),
            ("logging/setLevel", {"level": "debug"}, None),
            ("initialize", PARAMS[15], None),
            ("ping", {}, None),
            ("subscriptions/listen", {}, None),
            ("no/such/method", {}, None),
        ]
    ]
    + [
        (modern_body("tools/list", meta=meta), {"mcp-method": "tools/list"})
        for meta in [
            None,
            5,
            [],
            {},
            {"io.modelcontextprotocol/protocolVersion": MODERN},
            {"io.modelcontextprotocol/clientCapabilities": {}},
            {**ENVELOPE, "io.modelcontextprotocol/protocolVersion": "2099-01-01"},
            {**ENVELOPE, "io.modelcontextprotocol/protocolVersion": 5},
            {**ENVELOPE, "io.modelcontextprotocol/clientCapabilities": 5},
            {**ENVELOPE, "io.modelcontextprotocol/clientInfo": "x"},
            {**ENVELOPE, "progressToken": 1.5},
        ]
    ]
    + [
        (rpc("tools/list", None), {"mcp-method": "tools/list"}),
        (rpc("tools/list", [1]), {"mcp-method": "tools/list"}),
        ([modern_body("tools/list")], {"mcp-method": "tools/list"}),
        ({"jsonrpc": "2.0", "id": 1.5, "method": "ping"}, {}),
        ({"jsonrpc": "2.0", "method": "notifications/initialized"}, {}),
        ({"jsonrpc": "2.0", "method": 5}, {}),
        ({"jsonrpc": "2.0", "id": 1, "result": {}}, {}),
        (modern_body("tools/list"), {}),
        (modern_body("tools/list"), {"mcp-method": "tools/call"}),
        (modern_body("tools/list"), {"mcp-method": "tools/list", "accept": "text/event-stream"}),
        (
            modern_body("subscriptions/listen"),
            {"mcp-method": "subscriptions/listen", "accept": "application/json"},
        ),
    ],
    ids=range(40),
)
def test_stateless_protocol_ladder(pair, body, headers):  # noqa: F811
    both(pair, body, headers={"mcp-protocol-version": MODERN, **headers})


@pytest.mark.parametrize("version", ["2099-01-01", "junk", "", "2025-06-18 "])
@pytest.mark.parametrize(
    "body",
    [
        rpc("ping"),
        modern_body("tools/list"),
        {**modern_body("tools/list"), "params": {"_meta": {**ENVELOPE}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
    ],
    ids=range(4),
)
def test_unknown_protocol_versions(pair, version, body):  # noqa: F811
    meta = (body.get("params") or {}).get("_meta")
    if meta:
        meta = dict(meta, **{"io.modelcontextprotocol/protocolVersion": version})
        body = {**body, "params": {"_meta": meta}}
    both(pair, body, headers={"mcp-protocol-version": version, "mcp-method": body["method"]})
