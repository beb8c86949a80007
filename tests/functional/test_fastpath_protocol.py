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
    {"_meta": {"progressToken": None}},  # the surface model takes null, the handler's does not
    {"protocolVersion": "2099-01-01", "capabilities": {}, "clientInfo": CLIENT, "_meta": {}},
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


VERBS = ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "POST", "post"]


@pytest.mark.parametrize("verb", VERBS)
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
            ("tools/call", {"name": "é✓"}, "é✓"),  # read behind Mangum as Latin-1: a mismatch
            ("tools/call", {"name": "é✓"}, encoded("é✓")),
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
    ids=range(42),
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


def random_requests(seed: int, count: int) -> list[tuple[object, dict, str]]:
    """Seeded random requests of every kind: (body, headers, token)."""
    chance = random.Random(seed)
    methods = ["tools/call"] * 6 + [m for m in METHODS if m != "tools/call"]
    tools = ["read_note", "search_notes", "get_history", "get_recent_changes", "list_notes"]
    tools += ["diff_note", "get_links", "write_note", "edit_note", "nope"]
    keys = ["path", "limit", "query", "section", "revision", "content", "prefix", "x", "é"]
    scalars = ["Home", "", "x" * 60, "é✓", 0, 1, -1, 3, 2.5, 5.0, True, False, None, 10**25]
    scalars += ["7", " 8 ", "1_0", [], {}, [1], {"a": None}]

    def value(depth: int = 0) -> object:
        if depth < 2 and chance.random() < 0.15:
            if chance.random() < 0.5:
                return [value(depth + 1) for _ in range(chance.randint(0, 2))]
            return {chance.choice(keys): value(depth + 1) for _ in range(chance.randint(0, 2))}
        return chance.choice(scalars)

    def params(method: str, modern: bool) -> dict:
        sent: dict = {}
        if method == "tools/call":
            if chance.random() < 0.95:
                sent["name"] = chance.choice(tools) if chance.random() < 0.9 else value()
            if chance.random() < 0.9:
                sent["arguments"] = {
                    chance.choice(keys): value() for _ in range(chance.randint(0, 3))
                }
        for key in ("cursor", "uri", "name", "level", "protocolVersion", "clientInfo", "ref"):
            if chance.random() < 0.08:
                sent[key] = value()
        if method == "initialize" and chance.random() < 0.6:
            sent.update(PARAMS[chance.choice([15, 16, 17, 18, 19])])
        if chance.random() < 0.1:
            sent["_meta"] = chance.choice(
                [{"progressToken": chance.choice([1, "t", 1.5, None])}, 5]
            )
        if modern and chance.random() < 0.9:
            sent["_meta"] = (
                ENVELOPE if chance.random() < 0.9 else {**ENVELOPE, VERSION: "2099-01-01"}
            )
        return sent

    requests = []
    for n in range(count):
        method = chance.choice(methods)
        modern = chance.random() < 0.35
        body: dict = {"jsonrpc": "2.0", "method": method}
        if chance.random() < 0.93:
            body["id"] = chance.choice([n, str(n), n, 1.5, None, True])
        sent = params(method, modern)
        if chance.random() < 0.9:
            body["params"] = sent if chance.random() < 0.97 else value()
        headers: dict = {}
        if modern:
            headers = {"mcp-protocol-version": MODERN, "mcp-method": method}
            if isinstance(sent.get("name"), str):
                headers["mcp-name"] = sent["name"]
        elif chance.random() < 0.3:
            headers = {"mcp-protocol-version": chance.choice([*VERSIONS, "2099-01-01"])}
        requests.append((body, headers, "viewer" if chance.random() < 0.1 else "owner"))
    return requests


VERSION = "io.modelcontextprotocol/protocolVersion"


@pytest.mark.parametrize("seed", range(4))
def test_random_requests(pair, seed):  # noqa: F811
    # A fuzz run of 1,500 of these per seed (seeds 1-7) found the rules the cases above name.
    for body, headers, token in random_requests(seed, 250):
        both(pair, body, token=token, headers=headers)
