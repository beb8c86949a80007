"""API Gateway HTTP API (payload 2.0) events and MCP JSON-RPC bodies, built the way AWS sends them.

Self-contained on purpose: the benchmark must keep working while the local gateway changes.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from urllib.parse import quote

MCP_ACCEPT = "application/json, text/event-stream"
PROTOCOL_VERSION = "2025-06-18"


def api_event(
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | str = b"",
    query: str = "",
    cookies: list[str] | None = None,
    route_key: str = "$default",
) -> dict:
    """One API Gateway v2 event for `method path` (path given unquoted)."""
    raw_path = quote(path, safe="/-_.~")
    now = int(time.time() * 1000)
    merged = {
        "host": "bench.local",
        "user-agent": "wikibot-bench",
        "x-forwarded-proto": "https",
        "x-forwarded-for": "127.0.0.1",
        "x-forwarded-port": "443",
    }
    merged.update({k.lower(): v for k, v in (headers or {}).items()})
    data = body.encode() if isinstance(body, str) else body
    event: dict = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": query,
        "headers": merged,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "bench",
            "domainName": "bench.local",
            "domainPrefix": "bench",
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "wikibot-bench",
            },
            "requestId": uuid.uuid4().hex[:16],
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now / 1000)),
            "timeEpoch": now,
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if data:
        content_type = merged.get("content-type", "")
        if content_type.startswith(("application/json", "text/", "application/x-www-form")):
            event["body"] = data.decode()
        else:
            event["body"] = base64.b64encode(data).decode()
            event["isBase64Encoded"] = True
    return event


def rpc(method: str, params: dict | None = None, ident: int = 1) -> str:
    """A JSON-RPC request body."""
    return json.dumps({"jsonrpc": "2.0", "id": ident, "method": method, "params": params or {}})


def tool_call(name: str, arguments: dict, ident: int = 1) -> str:
    """A `tools/call` body."""
    return rpc("tools/call", {"name": name, "arguments": arguments}, ident)


def initialize(ident: int = 0) -> str:
    """An `initialize` body."""
    return rpc(
        "initialize",
        {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "wikibot-bench", "version": "1"},
        },
        ident,
    )


def mcp_event(user: str, wiki: str, token: str, body: str) -> dict:
    """The event API Gateway sends the MCP function for one JSON-RPC POST."""
    return api_event(
        "POST",
        f"/{user}/{wiki}/mcp",
        headers={
            "authorization": f"Bearer {token}",
            "content-type": "application/json",
            "accept": MCP_ACCEPT,
            "mcp-protocol-version": PROTOCOL_VERSION,
        },
        body=body,
        route_key="ANY /{user}/{wiki}/mcp",
    )


def response_body(result: dict) -> bytes:
    """The body bytes of a Lambda proxy response."""
    raw = result.get("body") or ""
    return base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode()


def rpc_result(payload: bytes | str) -> dict:
    """The JSON-RPC message of an MCP answer (JSON, or the first SSE `data:` line)."""
    text = payload.decode() if isinstance(payload, bytes) else payload
    text = text.strip()
    if text.startswith("{"):
        return json.loads(text)
    for line in text.splitlines():
        if line.startswith("data:"):
            return json.loads(line[5:].strip())
    raise ValueError(f"no JSON-RPC message in {text[:200]!r}")


def tool_error(message: dict) -> str | None:
    """Why a tools/call answer failed, or None when it succeeded."""
    if "error" in message:
        return json.dumps(message["error"])[:300]
    result = message.get("result") or {}
    if result.get("isError"):
        content = result.get("content") or [{}]
        return str(content[0].get("text", ""))[:300]
    return None
