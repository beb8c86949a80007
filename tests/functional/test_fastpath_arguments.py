"""Tool arguments: the cold path coerces and refuses exactly as FastMCP (pydantic, lax mode) does.

Several hundred generated argument sets (missing, extra, wrong types, lax coercions, bounds,
non-ASCII, null, nested objects, huge numbers, JSON that Python reads differently from jiter)
go to both handlers of `test_fastpath.pair`; status, headers and JSON bytes must match. Only
read-only tools run with valid arguments, so both wikis stay identical.
"""

from __future__ import annotations

import json

import pytest
from test_fastpath import ENVELOPE, MODERN, both, pair  # noqa: F401 - `pair` is a fixture

TEXT_VALUES = [
    "",
    "Home",
    "home",
    "Équipe/Plan ✓",
    "日本語",
    "a\x00b",
    "\u200b",
    "🙂" * 30,
    "x" * 60,
    "é" * 40,
    "'quoted' \"double\"",
    0,
    1,
    -7,
    1.5,
    True,
    False,
    None,
    [],
    ["Home"],
    {},
    {"path": "Home"},
    10**30,
    1e300,
]
INTEGER_VALUES = [
    5,
    0,
    -1,
    201,
    10**30,
    "5",
    " 5 ",
    "\t5\n",
    "\u30005",
    "\x1c5",
    "+5",
    "-5",
    "05",
    "5.0",
    "5.00",
    "5.10",
    "5.",
    "1_0",
    "1__0",
    "_1",
    "1e3",
    "0x10",
    "٥",
    "５",
    "",
    "x",
    "x" * 60,
    "9" * 4300,
    "9" * 4301,
    "10000000000000000000000",
    5.0,
    -0.0,
    5.5,
    1e20,
    9.2e18,
    9.3e18,
    -9.3e18,
    2.0**63,
    True,
    False,
    None,
    [],
    [5],
    {},
    {"n": 5},
]
# Tool -> (valid base arguments, {parameter: values to try}).
TOOLS = {
    "read_note": ({"path": "Home"}, {"path": TEXT_VALUES, "section": TEXT_VALUES}),
    "search_notes": ({"query": "wiki"}, {"query": TEXT_VALUES, "limit": INTEGER_VALUES}),
    "get_recent_changes": ({}, {"limit": INTEGER_VALUES}),
    "get_history": ({"path": "Home"}, {"limit": INTEGER_VALUES, "path": TEXT_VALUES[11:]}),
    "diff_note": ({"path": "Nowhere", "from_revision": "abcdef1"}, {"to_revision": TEXT_VALUES}),
    # Valid arguments reach the tool only with a page that does not exist: nothing changes.
    "edit_note": (
        {"path": "Nowhere", "revision": "abcdef1", "old_string": "a", "new_string": "b"},
        {"revision": TEXT_VALUES[11:], "new_string": TEXT_VALUES[11:]},
    ),
}


def variations() -> list[tuple[str, object]]:
    """(tool, arguments) pairs: each value in each parameter, then structural variations."""
    cases: list[tuple[str, object]] = []
    for tool, (base, parameters) in TOOLS.items():
        for name, values in parameters.items():
            cases += [(tool, {**base, name: value}) for value in values]
        for name in base:  # each required argument missing, then all of them
            cases.append((tool, {k: v for k, v in base.items() if k != name}))
        cases.append((tool, {}))
        cases.append((tool, {**base, "extra": 1}))
        cases.append((tool, {"zzz": None, **base, "ünïcode": "x", "k" * 70: [1, 2]}))
        cases.append((tool, {"extra": 1, **{k: 3 for k in base}, "limit": "x"}))
        cases.append((tool, {**base, "path": {"nested": {"deep": [1, {"x": None}]}}}))
    cases.append(("find_orphaned_notes", {}))
    cases.append(("find_orphaned_notes", {"x": 1}))
    for arguments in (None, [], ["Home"], "Home", 5, True):
        cases.append(("read_note", arguments))
    return cases


CASES = variations()


def call_body(tool: str, arguments: object) -> dict:
    params: dict = {"name": tool}
    if arguments is not None or tool == "read_note":
        params["arguments"] = arguments
    return {"jsonrpc": "2.0", "id": 11, "method": "tools/call", "params": params}


def test_there_are_several_hundred_variations():
    assert len(CASES) > 300


@pytest.mark.parametrize(("tool", "arguments"), CASES, ids=range(len(CASES)))
def test_arguments_handshake_era(pair, tool, arguments):  # noqa: F811
    answer = both(pair, call_body(tool, arguments))
    assert answer["status"] == 200


@pytest.mark.parametrize(("tool", "arguments"), CASES[::4], ids=range(len(CASES[::4])))
def test_arguments_stateless_era(pair, tool, arguments):  # noqa: F811
    body = call_body(tool, arguments)
    body["params"]["_meta"] = ENVELOPE
    headers = {"mcp-protocol-version": MODERN, "mcp-method": "tools/call", "mcp-name": tool}
    both(pair, body, headers=headers)


RAW = [
    '{"path": "\\ud800"}',  # a lone surrogate: Python reads it, jiter refuses the body
    '{"path": "\\udc00x"}',
    '{"path": "\\ud83d\\ude00"}',  # a proper pair
    '{"path": "caf\\u00e9"}',
    '{"path": "Home", "path": 5}',  # duplicate keys: the last wins in both parsers
    '{"limit": NaN}',
    '{"limit": Infinity}',
    '{"limit": -Infinity}',
    '{"limit": 1e400}',
    '{"limit": 5.000000000000000001}',
    '{"limit": 1' + "0" * 40 + "}",
    '{"limit": -0}',
    '{"limit": 1E1}',
]


@pytest.mark.parametrize("arguments", RAW)
@pytest.mark.parametrize("tool", ["get_recent_changes", "read_note"])
def test_arguments_as_raw_json(pair, tool, arguments):  # noqa: F811
    body = '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":%s,"arguments":%s}}'
    both(pair, body % (json.dumps(tool), arguments))
