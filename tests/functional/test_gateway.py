"""The local API Gateway: event shape, route table, response rules, and a real server."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wikibot.local.gateway import (
    FakeLambdaContext,
    build_event,
    response_from_result,
    serve,
)
from wikibot.local.routes import ROUTES, match_route, route_for

EVENTS = Path(__file__).parent.parent / "events"
SECRET = "wbt_" + "S" * 43
SESSION = "wikibot_session=very-secret-session-value"


def load_event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def shape(value: object, key: str = "") -> object:
    """Keys and value types, recursively; header and query maps compare as str->str maps."""
    if isinstance(value, dict):
        if key in {"headers", "queryStringParameters"}:
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
            return "dict[str, str]"
        return {k: shape(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [type(v).__name__ for v in value[:1]]
    return type(value).__name__


# -- events -----------------------------------------------------------------------------------


def test_post_mcp_event_matches_recorded_shape() -> None:
    sample = load_event("apigw_v2_post_mcp.json")
    body = sample["body"].encode()
    event = build_event(
        "POST",
        "/alice/notes/mcp",
        "",
        [
            ("Host", "127.0.0.1:8000"),
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Accept", "application/json, text/event-stream"),
            ("Authorization", f"Bearer {SECRET}"),
            ("User-Agent", "claude-code/1.0.0"),
        ],
        body,
        source_ip="127.0.0.1",
    )
    assert shape(event) == shape(sample)
    assert event["routeKey"] == event["requestContext"]["routeKey"] == sample["routeKey"]
    assert event["pathParameters"] == sample["pathParameters"]
    assert json.loads(event["body"]) == json.loads(sample["body"])
    assert event["isBase64Encoded"] is False
    assert event["headers"]["authorization"] == f"Bearer {SECRET}"
    http_ctx = event["requestContext"]["http"]
    assert (http_ctx["method"], http_ctx["path"], http_ctx["sourceIp"]) == (
        "POST",
        "/alice/notes/mcp",
        "127.0.0.1",
    )
    assert http_ctx["userAgent"] == "claude-code/1.0.0"
    assert event["requestContext"]["domainName"] == "127.0.0.1"
    assert abs(event["requestContext"]["timeEpoch"] - time.time() * 1000) < 5000
    assert re.fullmatch(
        r"\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000", event["requestContext"]["time"]
    )


def test_get_page_event_matches_recorded_shape() -> None:
    sample = load_event("apigw_v2_get_page.json")
    event = build_event(
        "GET",
        "/alice/notes/Home",
        "rev=abc123&tab=history&tab=diff",
        [
            ("Host", "wiki.example.com"),
            ("Accept", "text/html"),
            ("Cookie", "wikibot_session=abc.def.ghi; theme=dark"),
            ("User-Agent", "Mozilla/5.0"),
        ],
        b"",
        source_ip="198.51.100.23",
    )
    assert shape(event) == shape(sample)
    assert "body" not in event and "pathParameters" not in event
    assert event["routeKey"] == "$default"
    assert event["cookies"] == ["wikibot_session=abc.def.ghi", "theme=dark"]
    assert event["queryStringParameters"] == sample["queryStringParameters"]
    assert event["requestContext"]["domainPrefix"] == "wiki"


def test_headers_lowercased_repeats_joined_cookies_removed() -> None:
    event = build_event(
        "GET",
        "/",
        "",
        [
            ("X-Thing", "a"),
            ("x-thing", "b"),
            ("Cookie", "a=1; b=2"),
            ("cookie", "c=3"),
            ("X-Forwarded-For", "192.0.2.9"),
            ("Host", "localhost:8123"),
        ],
        b"",
        source_ip="127.0.0.1",
    )
    headers = event["headers"]
    assert headers["x-thing"] == "a,b"
    assert "cookie" not in headers and "Cookie" not in headers
    assert all(name == name.lower() for name in headers)
    assert event["cookies"] == ["a=1", "b=2", "c=3"]
    assert headers["x-forwarded-for"] == "192.0.2.9, 127.0.0.1"
    assert (headers["x-forwarded-proto"], headers["x-forwarded-port"]) == ("http", "8123")


def test_query_string_decoding_and_empty_query() -> None:
    event = build_event("GET", "/x", "q=a%20b+c&empty=&k=1&k=2", [], b"", source_ip="127.0.0.1")
    assert event["rawQueryString"] == "q=a%20b+c&empty=&k=1&k=2"
    assert event["queryStringParameters"] == {"q": "a b c", "empty": "", "k": "1,2"}
    no_query = build_event("GET", "/x", "", [], b"", source_ip="127.0.0.1")
    assert "queryStringParameters" not in no_query and "cookies" not in no_query


@pytest.mark.parametrize(
    ("content_type", "body", "encoded"),
    [
        ("application/octet-stream", b"\x00\x01\xffbinary", True),
        ("application/x-git-upload-pack-request", b"0032want abc\n", True),
        ("text/plain; charset=utf-8", b"\xff\xfe not utf-8", True),
        ("", b"no content type", True),
        ("application/json", '{"title": "Café"}'.encode(), False),
        ("text/markdown", "# Héllo".encode(), False),
        ("application/merge-patch+json", b"{}", False),
    ],
)
def test_body_text_or_base64(content_type: str, body: bytes, encoded: bool) -> None:
    headers = [("Content-Type", content_type)] if content_type else []
    event = build_event("POST", "/x", "", headers, body, source_ip="127.0.0.1")
    assert event["isBase64Encoded"] is encoded
    decoded = base64.b64decode(event["body"]) if encoded else event["body"].encode()
    assert decoded == body


def test_fixed_time_format() -> None:
    ms = 1583348638390
    event = build_event("GET", "/", "", [], b"", source_ip="127.0.0.1", time_epoch_ms=ms)
    expected = datetime.fromtimestamp(ms / 1000, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")
    assert event["requestContext"]["time"] == expected == "04/Mar/2020:19:03:58 +0000"
    assert event["requestContext"]["timeEpoch"] == ms


# -- routes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "function", "route_key", "params"),
    [
        ("/alice/notes/mcp", "mcp", "ANY /{user}/{wiki}/mcp", {"user": "alice", "wiki": "notes"}),
        ("/alice/notes/mcp/", "mcp", "ANY /{user}/{wiki}/mcp", {"user": "alice", "wiki": "notes"}),
        ("/alice/notes/mcp/extra", "wiki", "$default", None),
        ("/alice/mcp", "wiki", "$default", None),
        ("//notes/mcp", "wiki", "$default", None),
        ("/alice/notes/MCP", "wiki", "$default", None),
        (
            "/.well-known/oauth-protected-resource/alice/notes/mcp",
            "mcp",
            "ANY /.well-known/{proxy+}",
            {"proxy": "oauth-protected-resource/alice/notes/mcp"},
        ),
        ("/auth/callback", "platform", "ANY /auth/{proxy+}", {"proxy": "callback"}),
        ("/api/wikis/notes", "platform", "ANY /api/{proxy+}", {"proxy": "wikis/notes"}),
        ("/api", "wiki", "$default", None),
        ("/auth/", "wiki", "$default", None),
        ("/", "wiki", "$default", None),
        ("/alice/notes/Home", "wiki", "$default", None),
        ("/alice/notes.git/info/refs", "wiki", "$default", None),
        # Path variables outrank greedy routes, as in API Gateway.
        ("/api/x/mcp", "mcp", "ANY /{user}/{wiki}/mcp", {"user": "api", "wiki": "x"}),
        (
            "/al%20ice/notes/mcp",
            "mcp",
            "ANY /{user}/{wiki}/mcp",
            {"user": "al ice", "wiki": "notes"},
        ),
    ],
)
def test_route_table(path: str, function: str, route_key: str, params: dict | None) -> None:
    route = match_route(path)
    assert (route.function, route.route_key, route.path_parameters) == (function, route_key, params)
    assert route_for(path) == function


def test_every_declared_route_is_reachable() -> None:
    samples = {
        "ANY /{user}/{wiki}/mcp": "/u/w/mcp",
        "ANY /.well-known/{proxy+}": "/.well-known/x",
        "ANY /auth/{proxy+}": "/auth/x",
        "ANY /api/{proxy+}": "/api/x",
    }
    assert set(samples) == {key for key, _ in ROUTES}
    for key, path in samples.items():
        assert match_route(path).route_key == key


# -- responses and context --------------------------------------------------------------------


def test_full_response_dict() -> None:
    status, headers, body = response_from_result(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "text/plain", "X-A": "1"},
            "multiValueHeaders": {"X-B": ["2", "3"]},
            "cookies": ["a=1; Path=/", "b=2; HttpOnly"],
            "body": base64.b64encode(b"\x00\xff").decode(),
            "isBase64Encoded": True,
        }
    )
    assert status == 201 and body == b"\x00\xff"
    assert ("X-A", "1") in headers and ("X-B", "2") in headers and ("X-B", "3") in headers
    assert [v for k, v in headers if k == "Set-Cookie"] == ["a=1; Path=/", "b=2; HttpOnly"]


@pytest.mark.parametrize(
    ("result", "body"),
    [
        ({"message": "hi"}, b'{"message": "hi"}'),
        ("plain text", b"plain text"),
        ([1, 2], b"[1, 2]"),
    ],
)
def test_inferred_response(result: object, body: bytes) -> None:
    assert response_from_result(result) == (200, [("Content-Type", "application/json")], body)


def test_status_only_response_has_empty_body() -> None:
    assert response_from_result({"statusCode": 204}) == (204, [], b"")


def test_fake_lambda_context() -> None:
    ctx = FakeLambdaContext("mcp", memory_limit_in_mb=1024, timeout_s=2)
    assert ctx.function_name == "mcp" and ctx.memory_limit_in_mb == 1024
    assert ctx.invoked_function_arn.endswith(":function:mcp")
    assert ctx.log_group_name == "/aws/lambda/mcp"
    assert re.fullmatch(r"[0-9a-f-]{36}", ctx.aws_request_id)
    assert 1000 < ctx.get_remaining_time_in_millis() <= 2000
    assert FakeLambdaContext("mcp").aws_request_id != ctx.aws_request_id


# -- a real server ----------------------------------------------------------------------------


class Recorder:
    """Dummy handlers that record their events and answer in the various v2 styles."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.contexts: list[FakeLambdaContext] = []

    def handler(self, fn: Callable[[dict], object]) -> Callable[[dict, object], object]:
        def handle(event: dict, context: object) -> object:
            self.events.append(event)
            self.contexts.append(context)
            return fn(event)

        return handle


def _wiki(event: dict) -> dict:
    if event["rawPath"] == "/boom":
        raise RuntimeError("handler exploded")
    if event["rawPath"] == "/binary":
        return {
            "statusCode": 200,
            "headers": {"content-type": "image/png"},
            "body": base64.b64encode(b"\x89PNG\x00\xff").decode(),
            "isBase64Encoded": True,
        }
    raw = base64.b64decode(event["body"]) if event["isBase64Encoded"] else b""
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json", "x-route": event["routeKey"]},
        "cookies": ["a=1; Path=/", "b=2; HttpOnly"],
        "body": json.dumps(
            {"cookies": event.get("cookies"), "sha": hashlib.sha256(raw).hexdigest()}
        ),
    }


MAX_BODY = 64 * 1024


@pytest.fixture
def server(caplog: pytest.LogCaptureFixture) -> Iterator[tuple[str, Recorder]]:
    caplog.set_level(logging.INFO, logger="wikibot.gateway")
    rec = Recorder()
    handlers = {
        "wiki": rec.handler(_wiki),
        "mcp": rec.handler(lambda e: {"echo": json.loads(e["body"])}),
    }  # no "platform": its routes must answer 404
    srv = serve(handlers, port=0, max_body_bytes=MAX_BODY)
    thread = threading.Thread(target=lambda: srv.serve_forever(poll_interval=0.05), daemon=True)
    thread.start()
    host, port = srv.server_address[:2]
    yield f"http://{host}:{port}", rec
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def fetch(url: str, data: bytes | None = None, headers: dict | None = None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def test_server_get_with_cookies_and_set_cookie(server, caplog) -> None:
    base, rec = server
    status, headers, body = fetch(f"{base}/alice/notes/Home?rev=1", headers={"Cookie": "s=1; t=2"})
    assert status == 200
    assert headers["x-route"] == "$default"
    assert headers.get_all("Set-Cookie") == ["a=1; Path=/", "b=2; HttpOnly"]
    assert json.loads(body)["cookies"] == ["s=1", "t=2"]
    [event] = rec.events
    assert event["rawQueryString"] == "rev=1" and event["queryStringParameters"] == {"rev": "1"}
    assert rec.contexts[0].function_name == "wiki"
    assert re.search(r"GET /alice/notes/Home 200 \d+\.\dms", caplog.text)
    assert "rev=1" not in caplog.text


def test_server_post_mcp_json(server) -> None:
    base, rec = server
    payload = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    status, headers, body = fetch(
        f"{base}/alice/notes/mcp",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
    )
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"echo": payload}
    assert rec.events[0]["pathParameters"] == {"user": "alice", "wiki": "notes"}
    assert rec.events[0]["requestContext"]["http"]["method"] == "POST"


def test_server_binary_request_and_response(server) -> None:
    base, rec = server
    blob = bytes(range(256)) * 10
    status, _, body = fetch(
        f"{base}/upload", data=blob, headers={"Content-Type": "application/octet-stream"}
    )
    assert status == 200 and json.loads(body)["sha"] == hashlib.sha256(blob).hexdigest()
    assert rec.events[0]["isBase64Encoded"] is True
    status, headers, body = fetch(f"{base}/binary")
    assert (status, headers["Content-Type"], body) == (200, "image/png", b"\x89PNG\x00\xff")


def test_server_chunked_request_body(server) -> None:
    base, rec = server
    conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=10)
    chunks = [b"hello ", b"chunked ", b"world"]
    conn.request(
        "POST",
        "/upload",
        body=iter(chunks),
        headers={"Content-Type": "application/octet-stream"},
        encode_chunked=True,
    )
    resp = conn.getresponse()
    assert resp.status == 200
    assert json.loads(resp.read())["sha"] == hashlib.sha256(b"".join(chunks)).hexdigest()
    conn.close()


def test_server_rejects_huge_body_without_calling_handler(server, caplog) -> None:
    base, rec = server
    status, _, body = fetch(f"{base}/upload", data=b"x" * (MAX_BODY * 32))
    assert status == 413
    assert json.loads(body) == {"message": "Request Entity Too Large"}
    assert rec.events == []
    assert "POST /upload 413" in caplog.text


def test_server_handler_exception_is_502_and_logs_no_secrets(server, caplog) -> None:
    base, _ = server
    status, _, body = fetch(
        f"{base}/boom", headers={"Authorization": f"Bearer {SECRET}", "Cookie": SESSION}
    )
    assert status == 502
    assert json.loads(body) == {"message": "Internal Server Error"}
    assert "handler exploded" in caplog.text and "Traceback" in caplog.text
    assert SECRET not in caplog.text
    assert "very-secret-session-value" not in caplog.text


def test_server_missing_handler_is_404(server) -> None:
    base, rec = server
    status, _, body = fetch(f"{base}/api/wikis")
    assert status == 404 and json.loads(body) == {"message": "Not Found"}
    assert rec.events == []


def test_server_keeps_connection_alive_across_requests(server) -> None:
    base, rec = server
    conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=10)
    for _ in range(3):
        conn.request("GET", "/alice/notes/Home")
        resp = conn.getresponse()
        assert resp.status == 200
        resp.read()
    conn.close()
    assert len(rec.events) == 3


# -- sized for many clients -------------------------------------------------------------------


def test_listen_backlog_takes_a_burst_of_clients() -> None:
    import socket

    srv = serve({}, port=0, max_body_bytes=MAX_BODY)
    try:
        assert srv.request_queue_size >= 128
        # Nobody accepts yet: every connection must still be queued, not refused.
        socks = [socket.create_connection(srv.server_address[:2], timeout=5) for _ in range(100)]
        for s in socks:
            s.close()
    finally:
        srv.server_close()


@pytest.fixture
def quick_server() -> Iterator[str]:
    srv = serve(
        {"wiki": lambda e, c: {"statusCode": 200, "body": "ok"}},
        port=0,
        max_body_bytes=MAX_BODY,
        max_event_bytes=32 * 1024,
        idle_timeout=0.5,
    )
    thread = threading.Thread(target=lambda: srv.serve_forever(poll_interval=0.05), daemon=True)
    thread.start()
    host, port = srv.server_address[:2]
    yield f"{host}:{port}"
    srv.shutdown()
    srv.server_close()


def test_idle_and_half_sent_connections_are_closed(quick_server) -> None:
    import socket

    host, port = quick_server.split(":")
    idle = socket.create_connection((host, int(port)), timeout=5)
    half = socket.create_connection((host, int(port)), timeout=5)
    half.sendall(b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nonly-part")
    began = time.monotonic()
    assert idle.recv(100) == b""  # closed by the server, not left open forever
    assert half.recv(100) == b""
    assert time.monotonic() - began < 4
    idle.close()
    half.close()
    status, _, body = fetch(f"http://{quick_server}/after")  # the server still serves
    assert (status, body) == (200, b"ok")


def test_an_event_over_the_lambda_payload_limit_is_refused(quick_server) -> None:
    # Under the body cap, but base64 (binary) makes the event exceed the (scaled-down) limit.
    status, _, body = fetch(
        f"http://{quick_server}/upload",
        data=b"\x00" * 30_000,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert status == 413 and json.loads(body) == {"message": "Request Entity Too Large"}
    status, _, _ = fetch(f"http://{quick_server}/upload", data=b"\x00" * 20_000)
    assert status == 200
