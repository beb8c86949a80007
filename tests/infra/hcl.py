"""Parsed Terraform for the infra tests (python-hcl2), with small helpers to walk it.

python-hcl2 keeps expressions as "${...}" strings and marks blocks with `__is_block__`, which
is what lets the schema checker tell `tags = {...}` (an argument) from `tags { ... }` (a block).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hcl2
from hcl2 import SerializationOptions

ROOT = Path(__file__).resolve().parents[2]
TF_ROOT = ROOT / "terraform"
MODULES = TF_ROOT / "modules"
ENVS = TF_ROOT / "envs"
MODULE_NAMES = sorted(p.name for p in MODULES.iterdir() if p.is_dir()) if MODULES.exists() else []
ENV_NAMES = sorted(p.name for p in ENVS.iterdir() if p.is_dir()) if ENVS.exists() else []
# Composition modules wire other modules together and declare no resources of their own; the
# environment roots call `platform` and nothing else.
PLATFORM = "platform"
COMPOSITION_NAMES = [PLATFORM]
LEAF_MODULE_NAMES = [m for m in MODULE_NAMES if m not in COMPOSITION_NAMES]

_OPTIONS = SerializationOptions(strip_string_quotes=True, with_comments=False)
BLOCK = "__is_block__"


def parse_file(path: Path) -> dict[str, Any]:
    """Parse one .tf file."""
    with path.open() as f:
        return hcl2.load(f, serialization_options=_OPTIONS)


def parse_dir(directory: Path) -> dict[str, list[Any]]:
    """Parse every .tf file of one module, merging the top-level block lists."""
    merged: dict[str, list[Any]] = {}
    for path in sorted(directory.glob("*.tf")):
        for kind, items in parse_file(path).items():
            merged.setdefault(kind, []).extend(items)
    return merged


def is_block(value: Any) -> bool:
    """True for a list of HCL blocks (as opposed to an argument's value)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and v.get(BLOCK) for v in value)
    )


def labelled(parsed: dict[str, list[Any]], kind: str) -> Iterator[tuple[str, str, dict]]:
    """Yield (type, name, body) for two-label blocks: resource, data."""
    for item in parsed.get(kind, []):
        for type_, named in item.items():
            for name, body in named.items():
                if name != BLOCK:
                    yield type_, name, body


def named(parsed: dict[str, list[Any]], kind: str) -> Iterator[tuple[str, dict]]:
    """Yield (name, body) for one-label blocks: variable, output, module, provider."""
    for item in parsed.get(kind, []):
        for name, body in item.items():
            if name != BLOCK:
                yield name, body


def locals_of(parsed: dict[str, list[Any]]) -> dict[str, Any]:
    """All `locals` entries of a module."""
    out: dict[str, Any] = {}
    for block in parsed.get("locals", []):
        out.update({k: v for k, v in block.items() if k != BLOCK})
    return out


def resources(parsed: dict[str, list[Any]], type_: str) -> dict[str, dict]:
    """Resources of one type, by name."""
    return {name: body for t, name, body in labelled(parsed, "resource") if t == type_}


def strings(value: Any) -> Iterator[str]:
    """Every string inside a parsed value (expressions included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def expr(value: Any) -> str:
    """An expression without its "${...}" wrapper, for readable assertions."""
    text = str(value)
    m = re.fullmatch(r"\$\{(.*)\}", text, re.S)
    return m.group(1) if m else text
