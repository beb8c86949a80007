"""Answer the stateless MCP methods from the manifest, or say "not mine" (None).

Handles `initialize`, `notifications/initialized`, `ping`, `tools/list` and `tools/call` for
single JSON-RPC messages at the handshake protocol versions, and `server/discover`,
`tools/list` and `tools/call` at the stateless (modern) versions, whose envelope rides in
`params._meta` (fastmcp's own Client speaks it). Answers are the exact bytes FastMCP sends (the
manifest holds its answers verbatim; tool results use its wrapping). Everything else returns
None and goes to FastMCP: other methods and HTTP verbs, batches, unknown protocol versions,
unknown tools, envelopes it does not fully recognise, and arguments the small validator cannot
vouch for.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wikibot.errors import WikibotError
from wikibot.mcp.catalog import FUNCTIONS
from wikibot.mcp.context import error_text
from wikibot.mcp.fast.validate import arguments_ok
from wikibot.mcp.gate import lower_headers

log = logging.getLogger("wikibot.mcp")

MANIFEST = Path(__file__).with_name("manifest.json")
_INIT_PARAMS = frozenset({"protocolVersion", "capabilities", "clientInfo"})
_WRAPPED = {"fastmcp": {"wrap_result": True}}
_VERSION_KEY = "io.modelcontextprotocol/protocolVersion"
_CLIENT_KEY = "io.modelcontextprotocol/clientInfo"
_CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities"
_SERVER_KEY = "io.modelcontextprotocol/serverInfo"
_LOG_LEVEL_KEY = "io.modelcontextprotocol/logLevel"
_ENVELOPE = frozenset({_VERSION_KEY, _CLIENT_KEY, _CAPABILITIES_KEY})
_OPTIONAL_META = frozenset({_LOG_LEVEL_KEY, "progressToken"})


@dataclass(frozen=True)
class Message:
    """One JSON-RPC message the cold path may answer."""

    method: str
    id: int | str | None
    params: dict  # without the modern envelope (`_meta`)
    notification: bool
    modern: str | None = None  # the stateless protocol version, when the request uses one


def dumps(value: Any, *, modern: bool = False) -> str:
    """JSON as FastMCP writes it: compact, with UTF-8 kept as is.

    Its stateless-protocol writer escapes every non-ASCII character instead (`modern`).
    """
    return json.dumps(value, ensure_ascii=modern, separators=(",", ":"))


def respond(status: int, body: str) -> dict:
    """An API Gateway v2 result with the headers FastMCP (through Mangum) sends."""
    return {
        "statusCode": status,
        "headers": {
            "content-type": "application/json",
            "content-length": str(len(body.encode("utf-8"))),
        },
        "body": body,
        "isBase64Encoded": False,
    }


def tool_result(
    message: Message, text: str, *, error: bool, server_info: dict | None = None
) -> dict:
    """A `tools/call` answer with FastMCP's wrapping of a string result.

    At a stateless protocol version FastMCP adds `resultType` and stamps its server info into
    `_meta` (`server_info`); the key order follows its output so the bytes match too.
    """
    content = [{"text": text, "type": "text"}]
    stamp = {_SERVER_KEY: server_info} if message.modern and server_info else None
    if error:
        result: dict = {"content": content, "isError": True}
        if stamp:
            result.update(resultType="complete", _meta=stamp)
    else:
        result = {"_meta": {**_WRAPPED, **(stamp or {})}, "content": content, "isError": False}
        if stamp:
            result["resultType"] = "complete"
        result["structuredContent"] = {"result": text}
    body = {"jsonrpc": "2.0", "id": message.id, "result": result}
    return respond(200, dumps(body, modern=bool(message.modern)))


class ColdPath:
    """The manifest-driven answers.

    Args:
        manifest: The parsed `manifest.json` (see `wikibot.mcp.fast.build`).
    """

    def __init__(self, manifest: dict):
        self.versions = frozenset(manifest["handshake_versions"])
        self.initialize = manifest["initialize"]
        self.tools_list = manifest["tools_list"]
        self.permissions: dict[str, str] = manifest["permissions"]
        self.modern: dict[str, dict] = manifest.get("modern", {})
        # Only tools whose result FastMCP wraps as one string; anything else is FastMCP's.
        self.schemas = {
            tool["name"]: tool["inputSchema"]
            for tool in self.tools_list["tools"]
            if (tool.get("outputSchema") or {}).get("x-fastmcp-wrap-result")
            and tool["name"] in FUNCTIONS
        }

    @classmethod
    def load(cls, path: Path = MANIFEST) -> ColdPath:
        """Read the manifest shipped beside this module."""
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def message(self, event: dict, body: bytes) -> Message | None:
        """The single JSON-RPC message of a request the cold path may answer, else None."""
        http = (event.get("requestContext") or {}).get("http") or {}
        headers = lower_headers(event)
        if http.get("method") != "POST":
            return None
        if not headers.get("content-type", "").lower().startswith("application/json"):
            return None
        accept = headers.get("accept", "")
        if "application/json" not in accept and "*/*" not in accept:
            return None
        version = headers.get("mcp-protocol-version")
        if version is not None and version not in self.versions and version not in self.modern:
            return None
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        if type(data) is not dict or data.get("jsonrpc") != "2.0":
            return None
        method, params = data.get("method"), data.get("params", {})
        if type(method) is not str or type(params) is not dict:
            return None
        if set(data) - {"jsonrpc", "id", "method", "params"}:
            return None
        if "id" not in data:
            return Message(method, None, params, True) if version not in self.modern else None
        if type(data["id"]) not in (int, str):
            return None
        if version in self.modern:
            return self._modern(version, headers, method, params, data["id"])
        if "_meta" in params:
            # A progress token changes nothing in a JSON (non-streamed) answer; more might.
            meta = params["_meta"]
            if type(meta) is not dict or set(meta) != {"progressToken"}:
                return None
            if type(meta["progressToken"]) not in (int, str):
                return None
            params = {k: v for k, v in params.items() if k != "_meta"}
        return Message(method, data["id"], params, False)

    def _modern(
        self, version: str, headers: dict, method: str, params: dict, id: int | str
    ) -> Message | None:
        """A stateless-protocol request whose envelope and routing headers are all in order."""
        meta = params.get("_meta")
        if type(meta) is not dict or not _ENVELOPE <= set(meta) <= _ENVELOPE | _OPTIONAL_META:
            return None
        info = meta[_CLIENT_KEY]
        # A log level or progress token changes nothing in a JSON (non-streamed) answer.
        if type(meta.get(_LOG_LEVEL_KEY, "")) is not str or type(
            meta.get("progressToken", 0)
        ) not in (int, str):
            return None
        if (
            meta[_VERSION_KEY] != version
            or type(meta[_CAPABILITIES_KEY]) is not dict
            or type(info) is not dict
            or type(info.get("name")) is not str
            or type(info.get("version")) is not str
            or headers.get("mcp-method") != method
        ):
            return None
        rest = {k: v for k, v in params.items() if k != "_meta"}
        if method == "tools/call" and headers.get("mcp-name") != rest.get("name"):
            return None
        return Message(method, id, rest, False, version)

    def answer(self, message: Message) -> dict | None:
        """Answer `message`, or None when FastMCP must (the tool's access already checked)."""
        method, params = message.method, message.params
        if message.modern:
            return self._answer_modern(message)
        if message.notification:
            if method == "notifications/initialized" and not params:
                return respond(202, "")
            return None
        if method == "ping" and not params:
            return respond(200, dumps({"jsonrpc": "2.0", "id": message.id, "result": {}}))
        if method == "tools/list" and not params:
            body = {"jsonrpc": "2.0", "id": message.id, "result": self.tools_list}
            return respond(200, dumps(body))
        if method == "initialize":
            return self._initialize(message)
        if method == "tools/call":
            return self._call(message)
        return None

    def _answer_modern(self, message: Message) -> dict | None:
        answers = self.modern[message.modern]
        if message.method == "server/discover" and not message.params:
            result = answers["discover"]
        elif message.method == "tools/list" and not message.params:
            result = answers["tools_list"]
        elif message.method == "tools/call":
            return self._call(message)
        else:
            return None
        body = {"jsonrpc": "2.0", "id": message.id, "result": result}
        return respond(200, dumps(body, modern=True))

    def tool_name(self, message: Message) -> str | None:
        """The tool a `tools/call` names, if the manifest knows it."""
        if message.method != "tools/call" or message.notification:
            return None
        name = message.params.get("name")
        return name if type(name) is str and name in self.permissions else None

    def _initialize(self, message: Message) -> dict | None:
        params = message.params
        version = params.get("protocolVersion")
        info = params.get("clientInfo")
        if (
            set(params) != _INIT_PARAMS
            or version not in self.initialize
            or type(params.get("capabilities")) is not dict
            or type(info) is not dict
            or type(info.get("name")) is not str
            or type(info.get("version")) is not str
        ):
            return None
        body = {"jsonrpc": "2.0", "id": message.id, "result": self.initialize[version]}
        return respond(200, dumps(body))

    def _call(self, message: Message) -> dict | None:
        params = message.params
        name = params.get("name")
        arguments = params.get("arguments", {})
        if set(params) - {"name", "arguments"} or name not in self.schemas:
            return None
        if not arguments_ok(arguments, self.schemas[name]):
            return None
        info = self.server_info(message)
        try:
            text = FUNCTIONS[name](**arguments)
        except WikibotError as exc:
            return tool_result(message, error_text(exc), error=True, server_info=info)
        except Exception as exc:
            # FastMCP's own answer for a tool that raised something unexpected.
            log.exception("Error calling tool %r", name)
            text = f"Error calling tool {name!r}: {exc}"
            return tool_result(message, text, error=True, server_info=info)
        if type(text) is not str:
            raise TypeError(f"tool {name} returned {type(text).__name__}, not str")
        return tool_result(message, text, error=False, server_info=info)

    def server_info(self, message: Message) -> dict | None:
        """The server-info stamp FastMCP puts on results at a stateless protocol version."""
        if not message.modern:
            return None
        return self.modern[message.modern]["discover"]["_meta"][_SERVER_KEY]
