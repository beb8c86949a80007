"""Which JSON-RPC message a parsed body is, judged as the MCP SDK's pydantic union judges it.

A handshake-era POST body is validated against the union of `JSONRPCRequest`,
`JSONRPCNotification`, `JSONRPCResponse` and `JSONRPCError` (`mcp_types.jsonrpc`). A request is
answered; any other valid message is acknowledged (202); a body that is none of them gets HTTP
400 with `Validation error: <str(ValidationError)>`, every member's errors listed in field order.
This module reproduces the verdict and that text.
"""

from __future__ import annotations

from typing import Any

from wikibot.mcp.fast.validate import Invalid, Problem, _integer, report

UNION = "union[JSONRPCRequest,JSONRPCNotification,JSONRPCResponse,JSONRPCError]"
REQUEST, NOTIFICATION, RESPONSE, ERROR = (
    "JSONRPCRequest",
    "JSONRPCNotification",
    "JSONRPCResponse",
    "JSONRPCError",
)
_MISSING = ("missing", "Field required")


def _jsonrpc(body: dict, model: str) -> list[Problem]:
    if "jsonrpc" not in body:
        return [Problem(f"{model}.jsonrpc", _MISSING[1], _MISSING[0], body)]
    value = body["jsonrpc"]
    if type(value) is str and value == "2.0":
        return []
    return [Problem(f"{model}.jsonrpc", "Input should be '2.0'", "literal_error", value)]


def _id(body: dict, model: str, *, nullable: bool = False) -> list[Problem]:
    if "id" not in body:
        return [Problem(f"{model}.id", _MISSING[1], _MISSING[0], body)]
    value = body["id"]
    if type(value) in (int, str) or (nullable and value is None):
        return []
    return [
        Problem(f"{model}.id.int", "Input should be a valid integer", "int_type", value),
        Problem(f"{model}.id.str", "Input should be a valid string", "string_type", value),
    ]


def _method(body: dict, model: str) -> list[Problem]:
    if "method" not in body:
        return [Problem(f"{model}.method", _MISSING[1], _MISSING[0], body)]
    if type(body["method"]) is str:
        return []
    return [
        Problem(f"{model}.method", "Input should be a valid string", "string_type", body["method"])
    ]


def _params(body: dict, model: str) -> list[Problem]:
    value = body.get("params")
    if value is None or type(value) is dict:
        return []
    return [Problem(f"{model}.params", "Input should be a valid dictionary", "dict_type", value)]


def _result(body: dict) -> list[Problem]:
    if "result" not in body:
        return [Problem(f"{RESPONSE}.result", _MISSING[1], _MISSING[0], body)]
    if type(body["result"]) is dict:
        return []
    message = "Input should be a valid dictionary"
    return [Problem(f"{RESPONSE}.result", message, "dict_type", body["result"])]


def _error(body: dict) -> list[Problem]:
    if "error" not in body:
        return [Problem(f"{ERROR}.error", _MISSING[1], _MISSING[0], body)]
    error = body["error"]
    if type(error) is not dict:
        message = "Input should be a valid dictionary or instance of ErrorData"
        return [Problem(f"{ERROR}.error", message, "model_type", error)]
    problems = []
    if "code" not in error:
        problems.append(Problem(f"{ERROR}.error.code", _MISSING[1], _MISSING[0], error))
    else:
        try:
            _integer(error["code"])
        except Invalid as exc:
            problems.append(Problem(f"{ERROR}.error.code", exc.message, exc.kind, error["code"]))
    if "message" not in error:
        problems.append(Problem(f"{ERROR}.error.message", _MISSING[1], _MISSING[0], error))
    elif type(error["message"]) is not str:
        problems.append(
            Problem(
                f"{ERROR}.error.message",
                "Input should be a valid string",
                "string_type",
                error["message"],
            )
        )
    return problems


def classify(body: Any) -> tuple[str | None, list[Problem]]:
    """The union member `body` validates as (None when none does) and every member's problems."""
    if type(body) is not dict:
        return None, [
            Problem(
                model,
                f"Input should be a valid dictionary or instance of {model}",
                "model_type",
                body,
            )
            for model in (REQUEST, NOTIFICATION, RESPONSE, ERROR)
        ]
    members = {
        REQUEST: _jsonrpc(body, REQUEST)
        + _id(body, REQUEST)
        + _method(body, REQUEST)
        + _params(body, REQUEST),
        NOTIFICATION: _jsonrpc(body, NOTIFICATION)
        + _method(body, NOTIFICATION)
        + _params(body, NOTIFICATION),
        RESPONSE: _jsonrpc(body, RESPONSE) + _id(body, RESPONSE) + _result(body),
        ERROR: _jsonrpc(body, ERROR) + _id(body, ERROR, nullable=True) + _error(body),
    }
    for model, problems in members.items():
        if not problems:
            return model, []
    return None, [problem for problems in members.values() for problem in problems]


def validation_error(problems: list[Problem], url: str) -> str:
    """The transport's message for a body no member accepts."""
    return "Validation error: " + report(UNION, problems, url)
