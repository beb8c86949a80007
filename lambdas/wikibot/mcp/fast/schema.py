"""Yes/no judgement of a JSON value against the MCP SDK's request models, exported as JSON Schema.

The SDK validates each spec request (`mcp_types.methods.validate_client_request`) with pydantic
before any handler runs and answers every failure with the same error ("Invalid request
parameters", empty data), so only the verdict matters here, never pydantic's wording. The
manifest carries the models' JSON Schemas (`wikibot.mcp.fast.build`); this judges the keywords
they use (`type`, `properties`, `required`, `additionalProperties`, `anyOf`, `const`, `enum`,
`items`, `minimum`, `maximum`, `$ref`) with pydantic's lax scalars (`validate.COERCE`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wikibot.mcp.fast.validate import COERCE, Invalid

_DROP = frozenset({"title", "description", "default", "examples"})


def slim(schema: Any) -> Any:
    """`schema` without the keys that never change a verdict (a smaller manifest)."""
    if isinstance(schema, dict):
        return {
            k: (
                {name: slim(v) for name, v in value.items()}
                if k in ("properties", "$defs")
                else slim(value)
            )
            for k, value in schema.items()
            if k not in _DROP
        }
    if isinstance(schema, list):
        return [slim(item) for item in schema]
    return schema


Check = Callable[[Any], bool]


class Judge:
    """Judges values against one root schema (which holds the `$defs`), compiled to closures.

    Every request runs one or two of these, so the schema is turned into nested checks once
    (a `$ref` resolves on first use, so recursive definitions work).
    """

    def __init__(self, root: dict):
        self.defs: dict = root.get("$defs", {})
        self._compiled: dict[str, Check] = {}
        self._root = self.compile(root)

    def valid(self, value: Any) -> bool:
        """Whether pydantic would accept `value` for the root schema."""
        return self._root(value)

    def compile(self, schema: dict) -> Check:
        """The check for one schema node."""
        checks: list[Check] = []
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            checks.append(lambda v: self._definition(name)(v))
        if "anyOf" in schema:
            options = [self.compile(option) for option in schema["anyOf"]]
            checks.append(lambda v: any(option(v) for option in options))
        if "const" in schema:
            const = schema["const"]
            checks.append(lambda v: _same(v, const))
        if "enum" in schema:
            members = schema["enum"]
            checks.append(lambda v: any(_same(v, member) for member in members))
        kind = schema.get("type")
        if kind is not None:
            checks.append(self._typed(kind, schema))
        if len(checks) == 1:
            return checks[0]
        return lambda v: all(check(v) for check in checks)

    def _definition(self, name: str) -> Check:
        if name not in self._compiled:
            self._compiled[name] = lambda v: True  # placeholder while compiling a cycle
            self._compiled[name] = self.compile(self.defs[name])
        return self._compiled[name]

    def _typed(self, kind: str, schema: dict) -> Check:
        if kind == "null":
            return lambda v: v is None
        if kind == "object":
            return self._object(schema)
        if kind == "array":
            items = self.compile(schema["items"]) if "items" in schema else None
            return lambda v: type(v) is list and (items is None or all(items(i) for i in v))
        coerce = COERCE[kind]
        low, high = schema.get("minimum"), schema.get("maximum")
        if kind == "string" and low is None and high is None:
            return lambda v: type(v) is str  # strings are never coerced
        exact = {"integer": int, "number": float, "boolean": bool}.get(kind)

        def scalar(value: Any) -> bool:
            if type(value) is exact:  # the common case, without an exception on the way
                coerced = value
            else:
                try:
                    coerced = coerce(value)
                except Invalid:
                    return False
            return (low is None or coerced >= low) and (high is None or coerced <= high)

        return scalar

    def _object(self, schema: dict) -> Check:
        properties = {name: self.compile(s) for name, s in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        extra = schema.get("additionalProperties", True)
        extra_check = self.compile(extra) if isinstance(extra, dict) else None

        def check(value: Any) -> bool:
            if type(value) is not dict:
                return False
            if any(name not in value for name in required):
                return False
            for name, item in value.items():
                judge = properties.get(name)
                if judge is not None:
                    if not judge(item):
                        return False
                elif extra is False or (extra_check is not None and not extra_check(item)):
                    return False
            return True

        return check


def _same(value: Any, expected: Any) -> bool:
    # Literal/enum members compare strictly: 1 is not True, "1" is not 1.
    return type(value) is type(expected) and value == expected
