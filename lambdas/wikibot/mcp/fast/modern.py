"""The stateless protocol era (2026-07-28 and any version the handshake era does not know).

The MCP SDK sends every request whose `MCP-Protocol-Version` header is not a handshake version
here (`mcp.server._streamable_http_modern`): one self-contained POST, the envelope in
`params._meta`, routing headers (`Mcp-Method`, `Mcp-Name`) that must agree with the body, and
errors with an HTTP status from the SDK's table. The rungs below follow its order; fastmcp's
own Client speaks this protocol.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import TYPE_CHECKING, Any

from wikibot.mcp.fast.path import (
    CAPABILITIES_KEY,
    CLIENT_KEY,
    INVALID_PARAMS,
    INVALID_REQUEST,
    PARSE_ERROR,
    VERSION_KEY,
    RpcError,
    accepts_json,
    replay,
)

if TYPE_CHECKING:
    from wikibot.mcp.fast.path import ColdPath

HEADER_MISMATCH, UNSUPPORTED_VERSION = -32020, -32022
# Method -> the params key mirrored in the Mcp-Name header (the SDK's NAME_BEARING_METHODS).
NAME_BEARING = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}
_SENTINEL = re.compile(r"^=\?base64\?(?P<payload>.*)\?=$")
_INVALID_BODY = "Body must be a single JSON-RPC request or notification object"


def sdk_header(headers: dict[str, str], name: str) -> str | None:
    """A header as the SDK reads it behind Mangum: UTF-8 bytes decoded as Latin-1."""
    value = headers.get(name)
    return None if value is None else value.encode("utf-8", "replace").decode("latin-1")


def write(cold: ColdPath, id: Any, error: dict | None = None, result: Any = None) -> dict:
    """A reply as the SDK's modern writer sends it: ASCII JSON, status from the code table."""
    if error is not None:
        body: dict = {"jsonrpc": "2.0", "id": id, "error": error}
        if id is None:  # the SDK adds a null id after dumping, so it comes last
            body = {"jsonrpc": "2.0", "error": error, "id": None}
        status = cold.statuses.get(error["code"], 200)
        text = json.dumps(body, separators=(",", ":"))
    else:
        text, status = cold.reply(id, result, modern=True), 200
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", "content-length": str(len(text))},
        "body": text,
        "isBase64Encoded": False,
    }


def rejection(code: int, message: str, data: Any = None) -> dict:
    """A ladder rejection's `error` member (no `data` key when there is none)."""
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return error


def unsupported(cold: ColdPath, requested: Any) -> dict | None:
    """The SDK's rejection of a stateless-protocol version it does not serve."""
    if requested in cold.modern:
        return None
    data = {"supported": list(cold.modern), "requested": requested}
    return rejection(UNSUPPORTED_VERSION, "Unsupported protocol version", data)


def decode_header(value: str | None) -> str | None:
    """An `Mcp-Name` value, with the SDK's `=?base64?...?=` form decoded (None if corrupt)."""
    if value is None:
        return None
    match = _SENTINEL.fullmatch(value)
    if match is None:
        return value
    payload = match["payload"]
    try:
        decoded = base64.b64decode(payload, validate=True)
        if base64.b64encode(decoded).decode("ascii") != payload:
            return None
        return decoded.decode("utf-8")
    except (binascii.Error, ValueError):
        return None


def _request_ok(data: Any) -> bool:
    """Whether `data` validates as the SDK's JSONRPCRequest (strict int or str id)."""
    return (
        type(data) is dict
        and data.get("jsonrpc") == "2.0"
        and type(data.get("jsonrpc")) is str
        and "id" in data
        and type(data["id"]) in (int, str)
        and type(data.get("method")) is str
        and (data.get("params") is None or type(data["params"]) is dict)
    )


def classify(data: dict, headers: dict[str, str]) -> dict | tuple[str, Any, Any]:
    """The envelope ladder: a rejection `error`, or (version, client info, capabilities)."""
    params = data.get("params")
    meta = params.get("_meta") if type(params) is dict else None
    if type(meta) is not dict:
        return rejection(
            INVALID_PARAMS,
            f"params._meta must be an object carrying the required {VERSION_KEY!r} and "
            f"{CAPABILITIES_KEY!r} envelope keys",
        )
    missing = [key for key in (VERSION_KEY, CAPABILITIES_KEY) if key not in meta]
    if missing:
        return rejection(
            INVALID_PARAMS,
            f"params._meta is missing the required envelope key(s): {', '.join(missing)}",
        )
    version = meta[VERSION_KEY]
    header = sdk_header(headers, "mcp-protocol-version")
    if header is None or header != version:
        return rejection(
            HEADER_MISMATCH,
            "mcp-protocol-version header does not match the request envelope's protocol version",
        )
    method = data["method"]
    if sdk_header(headers, "mcp-method") != method:
        return rejection(
            HEADER_MISMATCH, "mcp-method header does not match the request body's method"
        )
    name_key = NAME_BEARING.get(method)
    if name_key is not None:
        value = params.get(name_key)
        if value is not None and decode_header(sdk_header(headers, "mcp-name")) != value:
            return rejection(
                HEADER_MISMATCH,
                f"mcp-name header does not match the request body's {name_key!r} parameter",
            )
    return (version, meta.get(CLIENT_KEY), meta[CAPABILITIES_KEY])


def respond_modern(cold: ColdPath, verb: str, headers: dict[str, str], body: bytes) -> dict:
    """FastMCP's answer to a request of the stateless era."""
    if verb != "POST":
        return replay(cold.transport["modern_method_not_allowed"])
    has_json, _ = accepts_json(headers)
    if not has_json:
        return replay(cold.transport["modern_not_acceptable"])
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return write(cold, None, rejection(PARSE_ERROR, "Parse error"))
    if type(data) is dict and "id" not in data:
        if not (
            data.get("jsonrpc") == "2.0"
            and type(data.get("method")) is str
            and (data.get("params") is None or type(data["params"]) is dict)
        ):
            return write(cold, None, rejection(INVALID_REQUEST, _INVALID_BODY))
        refused = unsupported(cold, sdk_header(headers, "mcp-protocol-version") or "")
        if refused is not None:
            return write(cold, None, refused)
        return replay(cold.transport["modern_accepted"])
    if not _request_ok(data):
        return write(cold, None, rejection(INVALID_REQUEST, _INVALID_BODY))
    if data["method"] == "subscriptions/listen" and not accepts_json(headers)[1]:
        return replay(cold.transport["modern_not_acceptable"])
    verdict = classify(data, headers)
    if isinstance(verdict, dict):
        return write(cold, data["id"], verdict)
    version = verdict[0]
    if type(version) is not str:
        message = "the protocol-version envelope value must be a string"
        return write(cold, data["id"], rejection(INVALID_PARAMS, message))
    refused = unsupported(cold, version)
    if refused is not None:
        return write(cold, data["id"], refused)
    try:
        result = cold.dispatch(data["method"], data.get("params"), version, modern=True)
    except RpcError as exc:
        return write(cold, data["id"], exc.error)
    return write(cold, data["id"], result=result)
