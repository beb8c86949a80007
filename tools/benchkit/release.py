"""`tools/bench release`: E-5, INIT of each handler from its unpacked Lambda zip, with and without
the `.pyc` that `tools/release` compiles in, and what the bytecode costs in size.

Each zip is built twice by `tools/release` (for this machine's architecture, so it imports here):
as shipped, and with `--no-compile`. Each is unpacked, and a fresh `python -S` (no site-packages:
only the standard library and the unpacked zip on the path, as in the Lambda runtime, where
boto3 is the only extra) imports the handler module and resolves `handler`, as Lambda's INIT
does. PYTHONDONTWRITEBYTECODE keeps the source-only variant from caching anything between runs.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from benchkit.stats import Progress

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "tools" / "release"
HANDLERS = {
    "mcp": "wikibot.mcp.handler",
    "wiki": "wikibot.web.handler",
    "platform": "wikibot.platform.handler",
}
INIT_CODE = """
import importlib, sys, time
t = time.perf_counter()
module = importlib.import_module(sys.argv[1])
module.handler
print(time.perf_counter() - t)
"""


def arch() -> str:
    """The Lambda architecture name of this machine."""
    return "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"


def build(out: Path, functions: list[str], compiled: bool) -> None:
    """Run tools/release into `out`."""
    cmd = [sys.executable, str(RELEASE), "--arch", arch(), "--out", str(out), "--quiet"]
    for fn in functions:
        cmd += ["--function", fn]
    if not compiled:
        cmd.append("--no-compile")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"tools/release failed: {proc.stderr[-1500:]}")


def unpack(zip_path: Path, into: Path) -> int:
    """Extract a zip; its unpacked size in bytes."""
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(into)
        return sum(i.file_size for i in z.infolist())


def init_once(unpacked: Path, module: str, env: dict) -> float:
    """INIT of one handler in a fresh `python -S` over the unpacked zip (ms)."""
    proc = subprocess.run(
        [sys.executable, "-S", "-c", INIT_CODE, module],
        env={**env, "PYTHONPATH": str(unpacked), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        cwd=unpacked,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{module} from zip: {proc.stderr[-800:]}")
    return float(proc.stdout.strip().splitlines()[-1]) * 1000


def run(opts, progress: Progress) -> dict:
    """Build, unpack and time every function's zip; the report dict."""
    functions = opts.function or list(HANDLERS)
    runs = 1 if opts.quick else opts.runs
    report: dict = {"target": "release", "arch": arch(), "runs": runs, "functions": {}}
    with tempfile.TemporaryDirectory(prefix="bench-release-") as tmp:
        root = Path(tmp)
        from wikibot.local.dev import local_settings
        from wikibot.settings import to_env

        settings = local_settings(root / "data")
        env = {
            k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONPYCACHEPREFIX")
        }
        env.update(to_env(settings))
        for variant, compiled in (("pyc", True), ("source", False)):
            build(root / variant, functions, compiled)
            progress.step(f"built zips ({variant})")
        samples: dict[str, dict[str, list[float]]] = {
            fn: {"pyc": [], "source": []} for fn in functions
        }
        sizes: dict[str, dict] = {fn: {} for fn in functions}
        for fn in functions:
            for variant in ("pyc", "source"):
                zip_path = root / variant / f"{fn}.zip"
                unpacked = root / variant / fn
                sizes[fn][variant] = {
                    "zip_bytes": zip_path.stat().st_size,
                    "unpacked_bytes": unpack(zip_path, unpacked),
                }
        for i in range(runs):
            for fn in functions:
                for variant in ("pyc", "source"):
                    samples[fn][variant].append(init_once(root / variant / fn, HANDLERS[fn], env))
            progress.step(f"INIT from zips, round {i + 1}")
    for fn in functions:
        entry = {}
        for variant in ("pyc", "source"):
            values = samples[fn][variant]
            entry[variant] = {
                **sizes[fn][variant],
                "init_ms": round(statistics.median(values), 1),
                "init_ms_min": round(min(values), 1),
                "init_ms_max": round(max(values), 1),
            }
        entry["pyc_saves_ms"] = round(entry["source"]["init_ms"] - entry["pyc"]["init_ms"], 1)
        entry["pyc_adds_bytes"] = entry["pyc"]["zip_bytes"] - entry["source"]["zip_bytes"]
        report["functions"][fn] = entry
    return report


def steps(opts) -> int:
    """How many progress steps `run` takes."""
    return 2 + (1 if opts.quick else opts.runs)


def markdown(report: dict) -> str:
    """E-5 as a Markdown table."""
    out = [
        f"E-5 ({report['arch']}, median of {report['runs']} fresh `python -S` per cell):",
        "",
        "| function | zip MB (.pyc / source) | unpacked MB | INIT ms with .pyc "
        "| INIT ms source only | .pyc saves |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for fn, e in report["functions"].items():
        p, s = e["pyc"], e["source"]
        out.append(
            f"| {fn} | {p['zip_bytes'] / 1e6:.1f} / {s['zip_bytes'] / 1e6:.1f} "
            f"| {p['unpacked_bytes'] / 1e6:.1f} / {s['unpacked_bytes'] / 1e6:.1f} "
            f"| {p['init_ms']:,.0f} | {s['init_ms']:,.0f} | {e['pyc_saves_ms']:,.0f} ms |"
        )
    return "\n".join(out) + "\n"


def json_dump(report: dict) -> str:
    """Indented JSON."""
    return json.dumps(report, indent=2)
