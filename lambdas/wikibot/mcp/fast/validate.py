"""A small JSON Schema judge for tool arguments: "certainly valid" or "let FastMCP decide".

The cold path answers a call only when the arguments are certainly valid for the tool's input
schema, using the subset of JSON Schema that FastMCP generates for wikibot's tools (objects of
strings, integers, numbers and booleans with defaults, descriptions and simple bounds). Anything
else, including every invalid call, goes to FastMCP, whose error messages then stay exactly its
own. So this never has to reproduce pydantic's wording, only to never call something valid
that pydantic would refuse.
"""

from __future__ import annotations

from typing import Any

# Keys that only describe; they never make a value invalid.
_ANNOTATIONS = frozenset({"description", "title", "default", "examples"})
_BOUNDS = {
    "minimum": lambda v, b: v >= b,
    "maximum": lambda v, b: v <= b,
    "exclusiveMinimum": lambda v, b: v > b,
    "exclusiveMaximum": lambda v, b: v < b,
    "minLength": lambda v, b: len(v) >= b,
    "maxLength": lambda v, b: len(v) <= b,
}


def _is_text(value: Any) -> bool:
    if type(value) is not str:
        return False
    try:
        value.encode("utf-8")  # lone surrogates from JSON escapes: let FastMCP decide
    except UnicodeEncodeError:
        return False
    return True


_TYPES = {
    "string": _is_text,
    "integer": lambda v: type(v) is int,
    "number": lambda v: type(v) in (int, float),
    "boolean": lambda v: type(v) is bool,
}


def value_ok(value: Any, schema: dict) -> bool:
    """Whether `value` certainly satisfies a property schema this judge understands."""
    check = _TYPES.get(schema.get("type"))  # type: ignore[arg-type]
    if check is None or not check(value):
        return False
    for key, bound in schema.items():
        if key in _ANNOTATIONS or key == "type":
            continue
        test = _BOUNDS.get(key)
        if test is None or not test(value, bound):
            return False
    return True


def arguments_ok(arguments: Any, schema: dict) -> bool:
    """Whether `arguments` certainly satisfy a tool's `inputSchema` (False: cannot say)."""
    if type(arguments) is not dict or schema.get("type") != "object":
        return False
    if set(schema) - {"type", "properties", "required", "additionalProperties", "title"}:
        return False
    properties = schema.get("properties") or {}
    if any(name not in arguments for name in schema.get("required", ())):
        return False
    return all(
        name in properties and value_ok(value, properties[name])
        for name, value in arguments.items()
    )
