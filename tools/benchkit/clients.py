"""MCP clients for the benchmark: the handler in this process, or a deployed URL over HTTPS.

Both answer `call(tool, arguments) -> text` and raise `ToolFailed` on an error answer, so the
same scenarios run against either target.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import threading
from urllib.parse import urlsplit

from benchkit import events

REVISION = re.compile(r"revision: ([0-9a-f]{7,40})")


class ToolFailed(RuntimeError):
    """An MCP answer that was an error (HTTP, JSON-RPC or tool error)."""


def revision_of(text: str) -> str:
    """The revision a read_note/write_note/edit_note answer names."""
    match = REVISION.search(text)
    if not match:
        raise ToolFailed(f"no revision in answer: {text[:200]!r}")
    return match.group(1)


def page_text(read_answer: str) -> str:
    """The Markdown of a read_note answer (after the header's `---` line)."""
    return read_answer.split("\n---\n", 1)[1] if "\n---\n" in read_answer else read_answer


class LocalMcp:
    """Calls an MCP Lambda handler in this process with API Gateway events, as Lambda would."""

    def __init__(self, handler, user: str, wiki: str, token: str):
        self.handler, self.user, self.wiki, self.token = handler, user, wiki, token
        self.loop = None

    def rpc(self, body: str) -> dict:
        """Send one JSON-RPC body; the JSON-RPC answer."""
        if self.loop is None:
            # Mangum runs the app on the invocation thread's loop, as on Lambda.
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
        from benchkit.probes import Context

        result = self.handler(events.mcp_event(self.user, self.wiki, self.token, body), Context())
        if result.get("statusCode") != 200:
            raise ToolFailed(
                f"HTTP {result.get('statusCode')}: {events.response_body(result)[:200]!r}"
            )
        return events.rpc_result(events.response_body(result))

    def call(self, tool: str, arguments: dict) -> str:
        """Call one tool; its text answer."""
        message = self.rpc(events.tool_call(tool, arguments))
        error = events.tool_error(message)
        if error:
            raise ToolFailed(f"{tool}: {error}")
        return message["result"]["content"][0]["text"]


class HttpMcp:
    """MCP over HTTP(S) with a bearer token: stateless JSON-RPC POSTs to the wiki's MCP URL.

    One persistent connection per thread, as an agent's MCP client keeps one.
    """

    def __init__(self, mcp_url: str, token: str, timeout: float = 60):
        self.url = urlsplit(mcp_url)
        self.token = token
        self.timeout = timeout
        self.local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            cls = (
                http.client.HTTPSConnection
                if self.url.scheme == "https"
                else http.client.HTTPConnection
            )
            conn = cls(self.url.netloc, timeout=self.timeout)
            self.local.conn = conn
        return conn

    def post(self, body: str) -> tuple[int, bytes]:
        """POST one body; (status, response body). Reconnects once if the server closed."""
        headers = {
            "authorization": f"Bearer {self.token}",
            "content-type": "application/json",
            "accept": events.MCP_ACCEPT,
            "mcp-protocol-version": events.PROTOCOL_VERSION,
        }
        for attempt in (0, 1):
            conn = self._connection()
            try:
                conn.request("POST", self.url.path or "/", body=body.encode(), headers=headers)
                response = conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                self.local.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def rpc(self, body: str) -> dict:
        """Send one JSON-RPC body; the JSON-RPC answer."""
        status, data = self.post(body)
        if status != 200:
            raise ToolFailed(f"HTTP {status}: {data[:200]!r}")
        return events.rpc_result(data)

    def call(self, tool: str, arguments: dict) -> str:
        """Call one tool; its text answer."""
        message = self.rpc(events.tool_call(tool, arguments))
        error = events.tool_error(message)
        if error:
            raise ToolFailed(f"{tool}: {error}")
        return message["result"]["content"][0]["text"]

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        """GET a path on the same host (web pages)."""
        conn = self._connection()
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()


def mcp_url(base: str, wiki: str) -> str:
    """The MCP URL of `owner/slug` under a base URL (a full MCP URL is kept as given)."""
    base = base.rstrip("/")
    return base if base.endswith("/mcp") else f"{base}/{wiki}/mcp"


def dump(obj: object) -> str:
    """Compact JSON."""
    return json.dumps(obj, separators=(",", ":"))
