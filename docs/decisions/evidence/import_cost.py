"""Fresh-process import cost of the libraries the decision records weigh.

Each module is imported in its own fresh interpreter, `--runs` times, interleaved with the
others; the median is reported. Bytecode is compiled once, untimed, into a private cache
(PYTHONPYCACHEPREFIX), because the shipped zips carry .pyc (see 0003). Compare numbers from
one run only: the machines are shared and their load moves every number.

Usage: uv run python docs/decisions/evidence/import_cost.py [--runs 7] [--json] [MODULE ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

DEFAULT = [
    "json",  # baseline: the interpreter plus one stdlib module
    "dulwich.repo",
    "git",  # GitPython (otterwiki's storage)
    "mangum",
    "apig_wsgi",
    "jwt",
    "fastmcp",
    "mcp.server.lowlevel",
    "otterwiki.renderer",
    "boto3",
]

CODE = (
    "import time\n"
    "t0 = time.perf_counter()\n"
    "import {module}\n"
    "print((time.perf_counter() - t0) * 1000)\n"
)


def once(module: str, env: dict) -> float | None:
    """Import time of `module` in a fresh interpreter, ms (None if it cannot be imported)."""
    done = subprocess.run([sys.executable, "-c", CODE.format(module=module)], env=env,
                          capture_output=True, text=True)
    return float(done.stdout.strip()) if done.returncode == 0 else None


def measure(modules: list[str], runs: int) -> dict:
    """Median import ms per module, all measured in one interleaved run."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = tmp
        available = [m for m in modules if once(m, env) is not None]  # also compiles .pyc
        samples: dict[str, list[float]] = {m: [] for m in available}
        for _ in range(runs):
            for module in available:
                samples[module].append(once(module, env))
        return {
            "runs": runs,
            "python": sys.version.split()[0],
            "import_ms": {m: round(statistics.median(v), 1) for m, v in samples.items()},
            "missing": [m for m in modules if m not in available],
        }


def main() -> int:
    """Print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=DEFAULT, help="modules to import")
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per module (7)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    result = measure(args.modules, args.runs)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"median of {result['runs']} fresh processes each, Python {result['python']}, .pyc")
    print("| module | import ms |")
    print("|---|---:|")
    for module, ms in result["import_ms"].items():
        print(f"| `{module}` | {ms} |")
    if result["missing"]:
        print(f"\nnot importable here: {', '.join(result['missing'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
