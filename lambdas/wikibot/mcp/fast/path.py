"""The MCP runtime: every request answered as FastMCP answers it, without FastMCP.

FastMCP (with the MCP SDK, pydantic, starlette and cryptography) is too big for the MCP Lambda's
zip and too slow to import (docs/decisions/0012), so it stays the definition and the reference:
`wikibot.mcp.fast.build` asks it for its answers (handshakes, listings, transport refusals,
request models, status table) and stores them in `manifest.json`; this module replays them and
applies the SDK's rules by code, in the SDK's order:

- HTTP: methods other than POST/DELETE (405), Content-Type (400), Accept (406), then the era
  by `MCP-Protocol-Version`: absent or a handshake version is the handshake era, anything
  else the stateless era (`modern.py` there), which rejects unknown versions itself.
- Handshake era: jiter's parse errors (`jsonerror`), the JSON-RPC union (`envelope`), 202 for
  notifications and responses, then the method: spec request models judged by their JSON
  Schema (`schema`), handlers for what FastMCP serves, "Method not found" for the rest.
- Tool calls: pydantic's argument coercions and error text (`validate`), then the tool.

tests/functional/test_fastpath*.py send the same requests here and to FastMCP and compare.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wikibot.errors import WikibotError
from wikibot.mcp.catalog import FUNCTIONS
from wikibot.mcp.context import error_text
from wikibot.mcp.fast import envelope, validate
from wikibot.mcp.fast.jsonerror import parse_error
from wikibot.mcp.fast.schema import Judge
from wikibot.mcp.gate import lower_headers

log = logging.getLogger("wikibot.mcp")

MANIFEST = Path(__file__).with_name("manifest.json")
_WRAPPED = {"fastmcp": {"wrap_result": True}}
VERSION_KEY = "io.modelcontextprotocol/protocolVersion"
CLIENT_KEY = "io.modelcontextprotocol/clientInfo"
CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities"
SERVER_KEY = "io.modelcontextprotocol/serverInfo"
_LOG_LEVEL_KEY = "io.modelcontextprotocol/logLevel"
_ENVELOPE = frozenset({VERSION_KEY, CLIENT_KEY, CAPABILITIES_KEY})
_OPTIONAL_META = frozenset({_LOG_LEVEL_KEY, "progressToken"})
PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
# Bodies Python's json may accept where jiter refuses them (checked by the scanner then): a
# lone surrogate escape (a pair is fine for both) or a 4,300-digit run.
_JITER_REFUSES = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F]"
    rb"|[0-9]{4300}"
)


@dataclass(frozen=True)
class Message:
    """A well-formed single request, as the handler's tool-permission check reads it."""

    method: str
    id: int | str | None
    params: dict  # without the modern envelope (`_meta`)
    notification: bool
    modern: str | None = None  # the stateless protocol version, when the request uses one


class Incoming:
    """One admitted request as the checks read it: verb, lower-case headers, body, JSON.

    The body is parsed (strict UTF-8, Python's `json`) at most once, for the handler's
    permission check and the answer both.
    """

    def __init__(self, event: dict, body: bytes, headers: dict[str, str] | None = None):
        http = (event.get("requestContext") or {}).get("http") or {}
        self.verb = str(http.get("method", ""))  # Starlette compares it as sent
        self.headers = lower_headers(event) if headers is None else headers
        self.body = body
        self._parsed: tuple[Any, Exception | None] | None = None

    def json(self) -> tuple[Any, Exception | None]:
        """The UTF-8 JSON body, or the error Python's parser raised."""
        if self._parsed is None:
            try:
                self._parsed = (json.loads(self.body.decode("utf-8")), None)
            except (UnicodeDecodeError, ValueError, RecursionError) as exc:
                self._parsed = (None, exc)
        return self._parsed


class RpcError(Exception):
    """A JSON-RPC error the SDK's dispatcher would send for a request."""

    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(message)
        self.error: dict[str, Any] = {"code": code, "message": message}
        if data is not None:
            self.error["data"] = data


def method_not_found(method: str) -> RpcError:
    """The SDK's answer to a method it has no handler for (at this protocol version)."""
    return RpcError(METHOD_NOT_FOUND, "Method not found", method)


def invalid_params() -> RpcError:
    """The SDK's one answer to params its request model refuses (no pydantic text)."""
    return RpcError(INVALID_PARAMS, "Invalid request parameters", "")


id_of = id  # results are cached by identity: the manifest's objects live as long as the path


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
    """A `tools/call` answer with FastMCP's wrapping of a string result."""
    result = tool_payload(text, error=error, server_info=server_info if message.modern else None)
    body = {"jsonrpc": "2.0", "id": message.id, "result": result}
    return respond(200, dumps(body, modern=bool(message.modern)))


def tool_payload(text: str, *, error: bool, server_info: dict | None) -> dict:
    """FastMCP's `tools/call` result for a string (or an error text).

    At a stateless protocol version FastMCP adds `resultType` and stamps its server info into
    `_meta` (`server_info`); the key order follows its output so the bytes match too.
    """
    content = [{"text": text, "type": "text"}]
    stamp = {SERVER_KEY: server_info} if server_info else None
    if error:
        result: dict = {"content": content, "isError": True}
        if stamp:
            result.update(resultType="complete", _meta=stamp)
        return result
    result = {"_meta": {**_WRAPPED, **(stamp or {})}, "content": content, "isError": False}
    if stamp:
        result["resultType"] = "complete"
    result["structuredContent"] = {"result": text}
    return result


def replay(recorded: dict) -> dict:
    """A transport answer FastMCP gave at build time, as an API Gateway result."""
    return {
        "statusCode": recorded["status"],
        "headers": dict(recorded["headers"]),
        "body": recorded["body"],
        "isBase64Encoded": False,
    }


def accepts_json(headers: dict[str, str]) -> tuple[bool, bool]:
    """(JSON, SSE) acceptable per the Accept header, with wildcards (the SDK's rule)."""
    types = [t.strip().split(";")[0].strip().lower() for t in headers.get("accept", "").split(",")]
    wildcard = "*/*" in types
    return (
        wildcard or any(t in ("application/json", "application/*") for t in types),
        wildcard or any(t in ("text/event-stream", "text/*") for t in types),
    )


class ColdPath:
    """The manifest-driven MCP server.

    Args:
        manifest: The parsed `manifest.json` (see `wikibot.mcp.fast.build`).
    """

    def __init__(self, manifest: dict):
        self.versions = frozenset(manifest["handshake_versions"])
        self.latest = manifest["handshake_versions"][-1]
        self.default_version: str = manifest["default_version"]
        self.initialize = manifest["initialize"]
        self.tools_list = manifest["tools_list"]
        self.permissions: dict[str, str] = manifest["permissions"]
        self.modern: dict[str, dict] = manifest["modern"]
        self.results: dict[str, dict] = manifest["results"]
        self.transport: dict[str, dict] = manifest["transport"]
        self.statuses = {int(k): v for k, v in manifest["error_status"].items()}
        self.url: str = manifest["pydantic_errors_url"]
        self.requests: dict[str, dict[str, str]] = manifest["requests"]
        self.prevalidate: dict[str, str] = manifest["prevalidate"]
        self.handler_params: dict[str, str] = manifest["handler_params"]
        self._schemas: dict[str, dict] = manifest["request_schemas"]
        self._judges: dict[str, Judge] = {}
        self.schemas = {tool["name"]: tool["inputSchema"] for tool in self.tools_list["tools"]}
        constants = [self.tools_list, *self.initialize.values()]
        constants += [r for results in self.results.values() for r in results.values()]
        for answers in self.modern.values():
            constants += [answers["tools_list"], *answers["results"].values()]
        self._constant = frozenset(id_of(result) for result in constants)
        self._encoded: dict[tuple[int, bool], str] = {}
        unknown = [n for n, s in self.schemas.items() if not validate.supported(s)]
        if unknown or set(self.schemas) != set(FUNCTIONS):
            raise ValueError(f"manifest tools the cold path cannot serve: {unknown}")

    @classmethod
    def load(cls, path: Path = MANIFEST) -> ColdPath:
        """Read the manifest shipped beside this module."""
        return cls(json.loads(path.read_text(encoding="utf-8")))

    # -- the tool-permission pre-check (the handler's, before either path) -----------------

    def message(self, incoming: Incoming) -> Message | None:
        """The single well-formed request of a plain JSON POST, else None.

        Strict on purpose: it only decides whether the handler checks a tool's permission
        before anything else, the same way in front of the cold path and of FastMCP.
        """
        headers = incoming.headers
        if incoming.verb != "POST":
            return None
        if not headers.get("content-type", "").lower().startswith("application/json"):
            return None
        if not accepts_json(headers)[0]:
            return None
        version = headers.get("mcp-protocol-version")
        if version is not None and version not in self.versions and version not in self.modern:
            return None
        data, problem = incoming.json()
        if problem is not None:
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
            return self._modern_message(version, headers, method, params, data["id"])
        if "_meta" in params:
            meta = params["_meta"]
            if type(meta) is not dict or set(meta) != {"progressToken"}:
                return None
            if type(meta["progressToken"]) not in (int, str):
                return None
            params = {k: v for k, v in params.items() if k != "_meta"}
        return Message(method, data["id"], params, False)

    def _modern_message(
        self, version: str, headers: dict, method: str, params: dict, id: int | str
    ) -> Message | None:
        meta = params.get("_meta")
        if type(meta) is not dict or not _ENVELOPE <= set(meta) <= _ENVELOPE | _OPTIONAL_META:
            return None
        info = meta[CLIENT_KEY]
        if type(meta.get(_LOG_LEVEL_KEY, "")) is not str or type(
            meta.get("progressToken", 0)
        ) not in (int, str):
            return None
        if (
            meta[VERSION_KEY] != version
            or type(meta[CAPABILITIES_KEY]) is not dict
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

    def tool_name(self, message: Message) -> str | None:
        """The tool a `tools/call` names, if the manifest knows it."""
        if message.method != "tools/call" or message.notification:
            return None
        name = message.params.get("name")
        return name if type(name) is str and name in self.permissions else None

    def server_info(self, message: Message) -> dict | None:
        """The server-info stamp FastMCP puts on results at a stateless protocol version."""
        if not message.modern:
            return None
        return self.modern[message.modern]["discover"]["_meta"][SERVER_KEY]

    # -- every request ---------------------------------------------------------------------

    def respond(self, incoming: Incoming) -> dict:
        """FastMCP's answer to one admitted request."""
        verb, headers, body = incoming.verb, incoming.headers, incoming.body
        if verb not in ("POST", "DELETE"):
            return replay(self.transport["method_not_allowed"])
        if verb == "POST" and not headers.get("content-type", "").lower().startswith(
            "application/json"
        ):
            return replay(self.transport["bad_content_type"])
        version = headers.get("mcp-protocol-version")
        if version is not None and version not in self.versions:
            from wikibot.mcp.fast.modern import respond_modern

            return respond_modern(self, verb, headers, body)
        if verb == "DELETE":
            return replay(self.transport["delete"])
        if not accepts_json(headers)[0]:
            return replay(self.transport["not_acceptable"])
        parts = headers.get("content-type", "").split(";")[0].split(",")
        if not any(part.strip() == "application/json" for part in parts):
            return replay(self.transport["unsupported_media_type"])
        return self._handshake(incoming, version or self.default_version)

    def _handshake(self, incoming: Incoming, version: str) -> dict:
        data, problem = self._parse(incoming)
        if problem is not None:
            return self._transport_error(PARSE_ERROR, f"Parse error: {problem}")
        kind, problems = envelope.classify(data)
        if kind is None:
            message = envelope.validation_error(problems, self.url)
            return self._transport_error(INVALID_PARAMS, message)
        if kind != envelope.REQUEST:
            return respond(202, "")
        try:
            result = self.dispatch(data["method"], data.get("params"), version, modern=False)
        except RpcError as exc:
            return respond(200, dumps({"jsonrpc": "2.0", "id": data["id"], "error": exc.error}))
        return respond(200, self.reply(data["id"], result, modern=False))

    def reply(self, id: int | str, result: dict, *, modern: bool) -> str:
        """`{"jsonrpc":"2.0","id":...,"result":...}` as FastMCP writes it.

        The manifest's results never change, so each is encoded once (tools/list is ~12 KB:
        encoding it was most of a warm `tools/list`) and spliced in; the bytes are the same.
        """
        key = (id_of(result), modern)
        encoded = self._encoded.get(key) if id_of(result) in self._constant else None
        if encoded is None:
            encoded = dumps(result, modern=modern)
            if id_of(result) in self._constant:
                self._encoded[key] = encoded
        return f'{{"jsonrpc":"2.0","id":{dumps(id, modern=modern)},"result":{encoded}}}'

    @staticmethod
    def _parse(incoming: Incoming) -> tuple[Any, str | None]:
        """The JSON body, or jiter's error text (the SDK parses with `pydantic_core.from_json`)."""
        body = incoming.body
        data, exc = incoming.json()
        if exc is not None:
            # Python's parser and jiter word errors differently; jiter's is the answer.
            return None, parse_error(body) or f"{exc}"
        if _JITER_REFUSES.search(body):
            # Python reads surrogate escapes and a signed 4,300-digit integer; jiter does not.
            problem = parse_error(body)
            if problem is not None:
                return None, problem
        return data, None

    def _transport_error(self, code: int, message: str) -> dict:
        body = {"jsonrpc": "2.0", "id": None, "error": {"code": code, "message": message}}
        return respond(400, dumps(body))

    # -- methods ---------------------------------------------------------------------------

    def _valid(self, key: str, body: dict) -> bool:
        if key not in self._judges:
            self._judges[key] = Judge(self._schemas[key])
        return self._judges[key].valid(body)

    def judge(self, method: str, version: str, params: dict | None) -> None:
        """Raise the SDK's error when its model for (method, version) refuses these params."""
        if method in self.prevalidate:  # FastMCP's middleware, before the SDK's version gate
            if not self._valid(self.prevalidate[method], {"method": method, "params": params}):
                raise invalid_params()
        key = self.requests.get(method, {}).get(version)
        if key is None:
            raise method_not_found(method)
        body: dict = {"jsonrpc": "2.0", "id": 0, "method": method}
        if params is not None:
            body["params"] = params
        if not self._valid(key, body):
            raise invalid_params()

    def dispatch(self, method: str, params: dict | None, version: str, *, modern: bool) -> dict:
        """The result of one request FastMCP serves, or the RpcError it answers."""
        if method in self.requests:
            self.judge(method, version, params)
        params = params or {}
        results = self.modern[version]["results"] if modern else self.results[version]
        if method not in self.handler_params or (method == "initialize" and modern):
            raise method_not_found(method)
        if not self._valid(self.handler_params[method], params):
            raise invalid_params()
        if method == "initialize":
            requested = params["protocolVersion"]
            return self.initialize[requested if requested in self.versions else self.latest]
        if method in results:
            return results[method]
        if method == "tools/list":
            return self.modern[version]["tools_list"] if modern else self.tools_list
        if method == "tools/call":
            info = self.modern[version]["discover"]["_meta"][SERVER_KEY] if modern else None
            return self.call(params["name"], params.get("arguments"), info)
        if method == "resources/read":
            uri = params["uri"]
            raise RpcError(INVALID_PARAMS, f"Resource not found: {uri!r}", {"uri": uri})
        if method == "prompts/get":
            raise RpcError(INVALID_PARAMS, f"Unknown prompt: {params['name']!r}")
        raise method_not_found(method)

    def call(self, name: str, arguments: dict | None, server_info: dict | None) -> dict:
        """Run a tool as FastMCP does: unknown tool, argument errors, tool errors, result."""
        if name not in self.schemas:
            return tool_payload(f"Unknown tool: {name!r}", error=True, server_info=server_info)
        values, problems = validate.check(arguments or {}, self.schemas[name])
        if problems:
            text = validate.report(f"call[{name}]", problems, self.url)
            log.warning("Invalid arguments for tool %r: %d error(s)", name, len(problems))
            return tool_payload(text, error=True, server_info=server_info)
        try:
            text = FUNCTIONS[name](**values)
        except WikibotError as exc:
            return tool_payload(error_text(exc), error=True, server_info=server_info)
        except Exception as exc:
            # FastMCP's own answer for a tool that raised something unexpected.
            log.exception("Error calling tool %r", name)
            text = f"Error calling tool {name!r}: {exc}"
            return tool_payload(text, error=True, server_info=server_info)
        if type(text) is not str:
            raise TypeError(f"tool {name} returned {type(text).__name__}, not str")
        return tool_payload(text, error=False, server_info=server_info)
