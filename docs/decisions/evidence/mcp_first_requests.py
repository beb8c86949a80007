"""Decision 0012: what the first requests of a fresh MCP process cost, cold path vs FastMCP.

`uv run python docs/decisions/evidence/mcp_first_requests.py [runs]` makes a wiki in a temporary
folder, then alternates fresh processes that import `wikibot.mcp.handler`, build the handler
(`cold_path` True, or False for FastMCP: what 0003's fallback cost on a fresh sandbox) and time
`tools/list`, an invalid call (`get_history` with `limit: 2.5`) and `resources/list`. Prints the
median of each (ms) and the number of modules loaded.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ONE = r"""
import copy, json, sys, time
started = time.perf_counter()
from wikibot.mcp.handler import make_handler
from wikibot.settings import from_dict
settings, token, cold, event = json.loads(sys.argv[1])
handler = make_handler(from_dict(settings), cold_path=cold)
marks = {"init": time.perf_counter()}
def send(name, body):
    e = copy.deepcopy(event)
    e["body"] = json.dumps(body)
    assert handler(e, None)["statusCode"] == 200
    marks[name] = time.perf_counter()
send("tools_list", {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}})
call = {"name": "get_history", "arguments": {"path": "Home", "limit": 2.5}}
send("invalid_call", {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": call})
send("resources_list", {"jsonrpc": "2.0", "id": 3, "method": "resources/list", "params": {}})
out, last = {}, started
for name, at in marks.items():
    out[name], last = (at - last) * 1000, at
out["modules"] = len(sys.modules)
print(json.dumps(out))
"""


def main(runs: int) -> None:
    """Measure `runs` fresh processes per path, alternating, and print the medians."""
    from wikibot.local.dev import local_settings
    from wikibot.provision import create_wiki
    from wikibot.registry import open_registry
    from wikibot.settings import to_dict

    settings = local_settings(Path(tempfile.mkdtemp()) / "data")
    registry = open_registry(settings)
    registry.create_user("alice", "alice@example.com", "Alice")
    create_wiki(settings, registry, "alice", "notes", "Notes")
    token = registry.create_token("alice", "alice", "notes")[1]
    root = Path(__file__).resolve().parents[3]
    event = json.loads((root / "tests" / "events" / "apigw_v2_post_mcp.json").read_text())
    event["headers"]["authorization"] = f"Bearer {token}"
    rows: dict[bool, list[dict]] = {True: [], False: []}
    for _ in range(runs):
        for cold in (True, False):
            arg = json.dumps([to_dict(settings), token, cold, event])
            proc = subprocess.run(
                [sys.executable, "-c", ONE, arg], capture_output=True, text=True, check=True
            )
            rows[cold].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    for cold, found in rows.items():
        medians = {k: round(statistics.median(r[k] for r in found), 1) for k in found[0]}
        print("cold path" if cold else "FastMCP  ", medians)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
