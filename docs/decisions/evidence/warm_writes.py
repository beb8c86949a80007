"""Warm read_note / write_note p50 through the MCP handler: this checkout, and optionally another.

    uv run python docs/decisions/evidence/warm_writes.py                 # this checkout only
    uv run python docs/decisions/evidence/warm_writes.py --rounds 3 --other /tmp/orig

`--other DIR` is a second checkout of wikibot with its own environment (for example
`git worktree add --detach /tmp/orig 454c9c9 && (cd /tmp/orig && uv sync --frozen)`, the code
of issue 7's "today"); it is measured with its own `tools/bench` (1,000 pages, 300 calls), in
rounds interleaved with this checkout's, so machine load hits both alike. This checkout runs
the same calls on a wiki made by `tools/benchkit` (1,000 pages, 2,000 commits): `read_note` of
random pages, then `write_note` creating pages in a new folder, as in `tools/bench local`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def here(pages: int, calls: int) -> dict:
    """p50 ms of read_note and write_note through this checkout's MCP handler."""
    sys.path.insert(0, str(ROOT / "tools"))
    from benchkit import fixture, scenarios
    from benchkit.clients import LocalMcp
    from benchkit.local import mcp_handler

    fx = fixture.build(Path(tempfile.mkdtemp(prefix="warm-writes-")), pages, pages, None)
    client = LocalMcp(mcp_handler(fx.settings()), fx.user, fx.wiki, fx.token)
    topics = [f"Topic {i}" for i in range(pages)]
    got = scenarios.warm_read_write(client, topics, calls, f"Warm/{uuid.uuid4().hex[:6]}")
    return {
        "read_note": round(got["read_note"]["p50_ms"], 2),
        "write_note": round(got["write_note_create"]["p50_ms"], 2),
    }


def other(checkout: Path, pages: int, calls: int) -> dict:
    """The same two numbers from another checkout's own `tools/bench` (its JSON output)."""
    out = subprocess.run(
        ["uv", "run", "tools/bench", "--pages", str(pages), "--iterations", str(calls),
         "--cold-runs", "1", "--json"],
        cwd=checkout, capture_output=True, text=True, check=True,
    )  # fmt: skip
    results = json.loads(out.stdout)["results"]
    return {
        "read_note": results["mcp read_note"]["p50_ms"],
        "write_note": results["mcp write_note (create)"]["p50_ms"],
    }


def main() -> int:
    """Measure in interleaved rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, help="a second wikibot checkout to compare")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    rows = []
    for n in range(args.rounds):
        if args.other:
            numbers = other(args.other, args.pages, args.calls)
            rows.append({"round": n, "code": str(args.other), **numbers})
        code = [sys.executable, __file__, "--inner", str(args.pages), str(args.calls)]
        inner = subprocess.run(code, capture_output=True, text=True, check=True, cwd=ROOT)
        last = inner.stdout.strip().splitlines()[-1]  # the handler logs its INIT line first
        rows.append({"round": n, "code": "this checkout", **json.loads(last)})
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'round':>5}  {'code':<30} {'read_note p50 ms':>17} {'write_note p50 ms':>18}")
        for row in rows:
            print(f"{row['round']:>5}  {row['code'][-30:]:<30} {row['read_note']:>17} "
                  f"{row['write_note']:>18}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--inner":
        print(json.dumps(here(int(sys.argv[2]), int(sys.argv[3]))))
        sys.exit(0)
    sys.exit(main())
