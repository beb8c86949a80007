"""Tool arguments judged as FastMCP judges them (pydantic's lax mode), with pydantic's own text.

FastMCP validates a call's arguments with a pydantic arguments schema built from the tool's
signature and answers an invalid call with a tool error whose text is `str(ValidationError)`.
This module reproduces both for the JSON Schema subset wikibot's tools use (objects of strings,
integers, numbers and booleans, with defaults and required names, no extra arguments):

- strings accept only strings (no coercion of numbers);
- integers accept ints, bools (as 0/1), whole floats strictly inside the i64 range, and strings
  holding an integer (surrounding Unicode white space, one `_` between digits, a `.0…` tail);
- numbers accept ints, floats and numeric strings; booleans accept the usual lax spellings.

Errors list the parameters in signature order (missing or invalid), then unexpected keywords in
the order sent, each as pydantic prints it, `input_value` truncated as pydantic truncates it.
tests/functional/test_fastpath_arguments.py holds this to FastMCP's answers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# pydantic_core's `trim()`: Unicode White_Space (not Python's str.strip, which adds \x1c-\x1f).
_WHITE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # noqa: E501
_INT_TEXT = re.compile(r"[+-]?[0-9](?:_?[0-9])*(?:\.0+)?", re.ASCII)
_FLOAT_TEXT = re.compile(
    r"[+-]?(?:(?:[0-9](?:_?[0-9])*)?(?:\.(?:[0-9](?:_?[0-9])*)?)?(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)",
    re.ASCII | re.IGNORECASE,
)
_MAX_INT_DIGITS = 4300  # pydantic's (and CPython's) limit on integer strings
_I64 = 2.0**63
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})
REPR_LIMIT = 50  # bytes of `input_value` pydantic prints before truncating the middle


@dataclass(frozen=True)
class Problem:
    """One pydantic error line: where, the message, the error type and the offending value."""

    loc: str
    message: str
    kind: str
    value: Any


class Invalid(Exception):
    """A value is invalid: `kind` and `message` are pydantic's."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def _string(value: Any) -> str:
    if type(value) is str:
        return value
    raise Invalid("string_type", "Input should be a valid string")


def _integer(value: Any) -> int:
    kind = type(value)
    if kind is int or kind is bool:
        return int(value)
    if kind is float:
        if not math.isfinite(value):
            raise Invalid("finite_number", "Input should be a finite number")
        if not value.is_integer():
            raise Invalid(
                "int_from_float",
                "Input should be a valid integer, got a number with a fractional part",
            )
        if not -_I64 < value < _I64:
            raise _too_big()
        return int(value)
    if kind is str:
        text = value.strip(_WHITE)
        if len(text) > _MAX_INT_DIGITS:
            raise _too_big()
        if _INT_TEXT.fullmatch(text) is None:
            raise Invalid(
                "int_parsing",
                "Input should be a valid integer, unable to parse string as an integer",
            )
        return int(text.split(".")[0])
    raise Invalid("int_type", "Input should be a valid integer")


def _too_big() -> Invalid:
    return Invalid(
        "int_parsing_size", "Unable to parse input string as an integer, exceeded maximum size"
    )


def _number(value: Any) -> float | int:
    kind = type(value)
    if kind is int or kind is bool:
        return int(value) if kind is bool else value
    if kind is float:
        return value
    if kind is str:
        text = value.strip(_WHITE)
        if _FLOAT_TEXT.fullmatch(text) is None or not any(c.isalnum() for c in text):
            raise Invalid(
                "float_parsing",
                "Input should be a valid number, unable to parse string as a number",
            )
        return float(text.replace("_", ""))
    raise Invalid("float_type", "Input should be a valid number")


def _boolean(value: Any) -> bool:
    kind = type(value)
    if kind is bool:
        return value
    if kind is int and value in (0, 1):
        return bool(value)
    if kind is float and value in (0.0, 1.0):
        return bool(value)
    if kind is str:
        text = value.strip(_WHITE).lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise Invalid("bool_parsing", "Input should be a valid boolean, unable to interpret input")
    raise Invalid("bool_type", "Input should be a valid boolean")


COERCE: dict[str, Callable[[Any], Any]] = {
    "string": _string,
    "integer": _integer,
    "number": _number,
    "boolean": _boolean,
}
SUPPORTED_KEYS = frozenset({"type", "properties", "required", "additionalProperties", "title"})
PROPERTY_KEYS = frozenset({"type", "description", "title", "default", "examples"})


def supported(schema: dict) -> bool:
    """Whether `schema` stays inside the subset this module reproduces exactly."""
    if schema.get("type") != "object" or set(schema) - SUPPORTED_KEYS:
        return False
    if schema.get("additionalProperties", False) is not False:
        return False
    return all(
        type(p) is dict and p.get("type") in COERCE and not set(p) - PROPERTY_KEYS
        for p in (schema.get("properties") or {}).values()
    )


def check(arguments: dict, schema: dict) -> tuple[dict, list[Problem]]:
    """The arguments as the tool receives them (coerced), and pydantic's problems if any."""
    properties: dict = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, prop in properties.items():
        if name not in arguments:
            if name in required:
                problems.append(
                    Problem(name, "Missing required argument", "missing_argument", arguments)
                )
            continue
        try:
            values[name] = COERCE[prop["type"]](arguments[name])
        except Invalid as exc:
            problems.append(Problem(name, exc.message, exc.kind, arguments[name]))
    for name, value in arguments.items():
        if name not in properties:
            problems.append(
                Problem(name, "Unexpected keyword argument", "unexpected_keyword_argument", value)
            )
    return values, problems


def truncated_repr(value: Any) -> str:
    """`repr(value)` shortened as pydantic_core does: first 25 and last 24 bytes, whole chars."""
    text = repr(value)
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= REPR_LIMIT:
        return text
    head = data[: (REPR_LIMIT + 1) // 2].decode("utf-8", "ignore")
    tail = data[len(data) - (REPR_LIMIT // 2 - 1) :]
    while tail and (tail[0] & 0xC0) == 0x80:  # drop a partial character at the cut
        tail = tail[1:]
    return f"{head}...{tail.decode('utf-8', 'surrogatepass')}"


def report(title: str, problems: list[Problem], url: str) -> str:
    """`str(ValidationError)` for `problems`: pydantic's summary line, then one block each."""
    count = len(problems)
    lines = [f"{count} validation error{'s' if count != 1 else ''} for {title}"]
    for problem in problems:
        lines.append(problem.loc)
        lines.append(
            f"  {problem.message} [type={problem.kind}, input_value="
            f"{truncated_repr(problem.value)}, input_type={type(problem.value).__name__}]"
        )
        lines.append(f"    For further information visit {url}{problem.kind}")
    return "\n".join(lines)
