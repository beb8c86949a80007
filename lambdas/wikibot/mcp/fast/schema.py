"""Yes/no judgement of a JSON value against the MCP SDK's request models, exported as JSON Schema.

The SDK validates each spec request (`mcp_types.methods.validate_client_request`) with pydantic
before any handler runs and answers every failure with the same error ("Invalid request
parameters", empty data), so only the verdict matters here, never pydantic's wording. The
manifest carries the models' JSON Schemas (`wikibot.mcp.fast.build`); this judges the keywords
they use (`type`, `properties`, `required`, `additionalProperties`, `anyOf`, `const`, `enum`,
`items`, `minimum`, `maximum`, `$ref`) with pydantic's lax scalars (`validate.COERCE`).
"""

from __future__ import annotations

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


class Judge:
    """Judges values against one root schema (which holds the `$defs`)."""

    def __init__(self, root: dict):
        self.defs: dict = root.get("$defs", {})
        self.root = root

    def valid(self, value: Any, schema: dict | None = None) -> bool:
        """Whether pydantic would accept `value` for `schema` (default: the root)."""
        schema = self.root if schema is None else schema
        if "$ref" in schema:
            return self.valid(value, self.defs[schema["$ref"].rsplit("/", 1)[-1]])
        if "anyOf" in schema and not any(self.valid(value, s) for s in schema["anyOf"]):
            return False
        if "const" in schema and not _same(value, schema["const"]):
            return False
        if "enum" in schema and not any(_same(value, option) for option in schema["enum"]):
            return False
        kind = schema.get("type")
        if kind is not None and not self._typed(value, kind, schema):
            return False
        return True

    def _typed(self, value: Any, kind: str, schema: dict) -> bool:
        if kind == "null":
            return value is None
        if kind == "object":
            return self._object(value, schema)
        if kind == "array":
            items = schema.get("items")
            return type(value) is list and (
                items is None or all(self.valid(v, items) for v in value)
            )
        try:
            coerced = COERCE[kind](value)
        except Invalid:
            return False
        if "minimum" in schema and coerced < schema["minimum"]:
            return False
        return not ("maximum" in schema and coerced > schema["maximum"])

    def _object(self, value: Any, schema: dict) -> bool:
        if type(value) is not dict:
            return False
        properties = schema.get("properties", {})
        if any(name not in value for name in schema.get("required", ())):
            return False
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in properties:
                if not self.valid(item, properties[name]):
                    return False
            elif extra is False:
                return False
            elif isinstance(extra, dict) and not self.valid(item, extra):
                return False
        return True


def _same(value: Any, expected: Any) -> bool:
    # Literal/enum members compare strictly: 1 is not True, "1" is not 1.
    return type(value) is type(expected) and value == expected
