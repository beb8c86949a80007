"""A local stand-in for API Gateway (HTTP API, payload format 2.0) in front of the real handlers.

`wikibot dev` serves HTTP on 127.0.0.1, turns each request into the event API Gateway would send
(`build_event`), calls the same Lambda handler AWS would (chosen by `routes.match_route`), and
turns the result back into HTTP (`response_from_result`) with API Gateway's rules, so local runs
exercise the Lambda code path. Stdlib only.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from wikibot.local.routes import match_route, static_asset
from wikibot.settings import LAMBDA_PAYLOAD_BYTES

# API Gateway HTTP APIs accept request bodies up to 10 MB; Lambda's 6 MiB event limit bites first
# for most bodies, and that check needs the whole body.
API_GATEWAY_BODY_BYTES = 10 * 1024 * 1024

log = logging.getLogger("wikibot.gateway")

Handler = Callable[[dict, object], object]
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_TEXT_TYPES = ("application/json", "application/xml", "application/javascript")


def _is_text(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media in _TEXT_TYPES or media.endswith(("+json", "+xml"))


def _request_time(epoch_ms: int) -> str:
    # Built by hand: strftime's %b follows the locale, API Gateway's never does.
    t = time.gmtime(epoch_ms / 1000)
    return (
        f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:"
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    )


def build_event(
    method: str,
    raw_path: str,
    raw_query: str,
    headers: list[tuple[str, str]],
    body: bytes,
    *,
    source_ip: str,
    stage: str = "$default",
    scheme: str = "http",
    time_epoch_ms: int | None = None,
) -> dict:
    """Build the API Gateway HTTP API (payload 2.0) event for one request.

    Args:
        method: HTTP method as sent.
        raw_path: Path without the query string, still percent-encoded.
        raw_query: Query string without "?", still percent-encoded ("" for none).
        headers: Request headers in order; names in any case, repeats allowed.
        body: Raw request body.
        source_ip: Client address for `requestContext.http.sourceIp` and x-forwarded-for.
        stage: Stage name (`$default` for the default stage).
        scheme: What x-forwarded-proto says: "http" locally, "https" behind TLS.
        time_epoch_ms: Request time; defaults to now.

    Returns:
        The event dict, shaped like tests/events/apigw_v2_*.json.
    """
    cookies: list[str] = []
    merged: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        if key == "cookie":
            # API Gateway moves cookies to their own list and drops the header.
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
        else:
            merged[key] = f"{merged[key]},{value}" if key in merged else value
    host = merged.get("host", "localhost")
    hostname, colon, port = host.rpartition(":")
    if not colon or not port.isdigit():
        hostname, port = host, ""
    # API Gateway appends the caller to x-forwarded-for and sets proto/port; WSGI adapters build
    # URLs (redirects, OAuth metadata) from these.
    forwarded = merged.get("x-forwarded-for")
    merged["x-forwarded-for"] = f"{forwarded}, {source_ip}" if forwarded else source_ip
    merged["x-forwarded-proto"] = scheme
    merged["x-forwarded-port"] = port or ("443" if scheme == "https" else "80")
    now_ms = int(time.time() * 1000) if time_epoch_ms is None else time_epoch_ms
    merged.setdefault("x-amzn-trace-id", f"Root=1-{now_ms // 1000:08x}-{secrets.token_hex(12)}")

    route = match_route(raw_path)
    event: dict = {
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = merged
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    if query:
        event["queryStringParameters"] = query
    if route.path_parameters:
        event["pathParameters"] = route.path_parameters
    event["requestContext"] = {
        "accountId": "000000000000",
        "apiId": "local",
        "domainName": hostname,
        "domainPrefix": hostname.split(".", 1)[0],
        "http": {
            "method": method.upper(),
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": merged.get("user-agent", ""),
        },
        # API Gateway request ids look like "JKJaXmPLvHcESHA=": 11 random bytes, base64.
        "requestId": base64.b64encode(secrets.token_bytes(11)).decode(),
        "routeKey": route.route_key,
        "stage": stage,
        "time": _request_time(now_ms),
        "timeEpoch": now_ms,
    }
    encoded = False
    if body:
        text = None
        if _is_text(merged.get("content-type", "")):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        encoded = text is None
        event["body"] = base64.b64encode(body).decode() if encoded else text
    event["isBase64Encoded"] = encoded
    return event


def response_from_result(result: object) -> tuple[int, list[tuple[str, str]], bytes]:
    """Turn a handler's return value into (status, headers, body) with API Gateway's v2 rules.

    A dict with `statusCode` is a full response: headers, optional multiValueHeaders, cookies
    (one Set-Cookie each) and a body that may be base64. Anything else is the body itself: 200,
    `application/json`, a string as-is, other values serialized as JSON.
    """
    if not (isinstance(result, dict) and "statusCode" in result):
        body = result if isinstance(result, str) else json.dumps(result)
        return 200, [("Content-Type", "application/json")], body.encode()
    headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers.extend((str(name), str(v)) for v in values)
    headers.extend(("Set-Cookie", str(c)) for c in result.get("cookies") or [])
    raw = result.get("body")
    if raw is None:
        data = b""
    elif not isinstance(raw, str):
        data = json.dumps(raw).encode()
    elif result.get("isBase64Encoded"):
        data = base64.b64decode(raw)
    else:
        data = raw.encode()
    return int(result["statusCode"]), headers, data


class FakeLambdaContext:
    """The attributes of a Lambda context object that handlers and Powertools-style code read."""

    def __init__(
        self, function_name: str, memory_limit_in_mb: int = 512, timeout_s: float = 30
    ) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_limit_in_mb
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function_name}"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = f"local/[$LATEST]{self.aws_request_id.replace('-', '')}"
        self._deadline = time.monotonic() + timeout_s

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before this invocation's (simulated) timeout."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _json_error(status: int, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    return status, [("Content-Type", "application/json")], json.dumps({"message": message}).encode()


class GatewayServer(ThreadingHTTPServer):
    """A threading HTTP server sized for many clients.

    The listen backlog takes a burst of parallel agents (the stdlib default of 5 refused them),
    and request threads never keep the process alive at exit.
    """

    request_queue_size = 256
    daemon_threads = True


def serve(
    handlers: Mapping[str, Handler],
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    max_body_bytes: int = API_GATEWAY_BODY_BYTES,
    max_event_bytes: int = LAMBDA_PAYLOAD_BYTES,
    idle_timeout: float = 30.0,
) -> GatewayServer:
    """Create (not start) an HTTP server that sends each request through its Lambda handler.

    Args:
        handlers: Lambda handlers by function name ("mcp", "platform", "wiki").
        host: Interface to bind; keep the loopback default unless you mean to expose it.
        port: Port to bind; 0 picks a free one (see `server.server_address`).
        max_body_bytes: Larger request bodies get 413 without reaching a handler (API
            Gateway's HTTP API payload limit by default).
        max_event_bytes: Events larger than this get 413, as Lambda refuses a synchronous
            invocation over 6 MiB.
        idle_timeout: Seconds a connection may sit idle or stall mid-request before it is closed.

    Returns:
        The bound server; call `serve_forever()` (in a thread or the foreground).
    """

    class GatewayRequestHandler(_GatewayRequestHandler):
        pass

    GatewayRequestHandler.handlers = handlers
    GatewayRequestHandler.max_body_bytes = max_body_bytes
    GatewayRequestHandler.max_event_bytes = max_event_bytes
    GatewayRequestHandler.timeout = idle_timeout  # a socket timeout: idle or half-sent -> closed
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)  # the access log is INFO; the root default would drop it
    if not log.hasHandlers():
        log.addHandler(logging.StreamHandler())  # stderr, when the caller set up no logging
    return GatewayServer((host, port), GatewayRequestHandler)


class _BodyTooLarge(Exception):
    pass


class _BadBody(Exception):
    pass


# A client still sending an oversized body would see a reset instead of our 413 if we closed
# at once, so a declared length up to this is read and discarded first.
_DRAIN_LIMIT = 256 * 1024 * 1024


class _GatewayRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    handlers: Mapping[str, Handler] = {}
    max_body_bytes = 0
    max_event_bytes = LAMBDA_PAYLOAD_BYTES

    def do_request(self) -> None:
        start = time.monotonic()
        path, _, query = self.path.partition("?")
        try:
            response = self._invoke(path, query, self._read_body())
        except _BodyTooLarge:
            self.close_connection = True  # an unread body would corrupt the next request
            response = _json_error(413, "Request Entity Too Large")
        except _BadBody:
            self.close_connection = True
            response = _json_error(400, "Bad Request")
        # Logged before writing, so a client that has its response can rely on the line existing.
        ms = (time.monotonic() - start) * 1e3
        log.info("%s %s %d %.1fms", self.command, path, response[0], ms)
        self._send(*response)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_request

    def _invoke(self, path: str, query: str, body: bytes) -> tuple[int, list, bytes]:
        asset = static_asset(path)  # CloudFront answers /_static/* from S3, not API Gateway
        if asset is not None:
            return asset
        event = build_event(
            self.command,
            path,
            query,
            list(self.headers.items()),
            body,
            source_ip=self.client_address[0],
        )
        function = match_route(path).function
        handler = self.handlers.get(function)
        if handler is None:
            return _json_error(404, "Not Found")
        if len(json.dumps(event)) > self.max_event_bytes:
            return _json_error(413, "Request Entity Too Large")  # Lambda's invoke payload limit
        try:
            return response_from_result(handler(event, FakeLambdaContext(function)))
        except Exception as exc:  # API Gateway turns any handler failure into a 502
            # Only the traceback: the event (Authorization, cookies) is never logged.
            log.error("%s handler failed: %s", function, "".join(traceback.format_exception(exc)))
            return _json_error(502, "Internal Server Error")

    def _read_body(self) -> bytes:
        try:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                return self._read_chunked()
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError as exc:
            raise _BadBody from exc
        if length > self.max_body_bytes:
            if length <= _DRAIN_LIMIT:
                while length > 0:
                    chunk = self.rfile.read(min(length, 65536))
                    if not chunk:
                        break
                    length -= len(chunk)
            raise _BodyTooLarge
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip(), 16)
            if size == 0:
                while self.rfile.readline().strip():  # trailers, then the blank line
                    pass
                return b"".join(chunks)
            total += size
            if total > self.max_body_bytes:
                raise _BodyTooLarge
            chunks.append(self.rfile.read(size))
            self.rfile.readline()  # CRLF after each chunk

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response_only(status)
        self.send_header("Date", self.date_time_string())
        skip = {"content-length", "transfer-encoding", "connection"}
        for name, value in headers:
            if name.lower() not in skip:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Silence http.server's own stderr line; `do_request` logs one access line instead."""
