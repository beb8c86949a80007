"""E-5: cold INIT of each handler from its unpacked zip, with and without the shipped .pyc.

`tools/release measure --out DIR` reads DIR/<function>.zip (built by tools/release), builds the
same function with `--no-compile` (sources only: what a build without bytecode ships; the
shipped zip holds sourceless .pyc, so stripping them would leave no code), unpacks both read-only
(Lambda's /var/task cannot cache bytecode), and starts fresh Python 3.12 processes that hold
only boto3 besides, as the Lambda runtime does. Each process times `import <handler>` (INIT)
and the first invocation with a sample API Gateway event; medians over --runs processes.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .build import ROOT

HANDLERS = {
    "mcp": "wikibot.mcp.handler",
    "wiki": "wikibot.web.handler",
    "platform": "wikibot.platform.handler",
}
PROBE = r"""
import importlib, json, sys, time
t0 = time.perf_counter()
module = importlib.import_module(sys.argv[1])
t1 = time.perf_counter()
class Context:
    function_name = "measure"; function_version = "$LATEST"; memory_limit_in_mb = 1024
    aws_request_id = "measure"; log_group_name = "/aws/lambda/measure"; log_stream_name = "m"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:measure"
    def get_remaining_time_in_millis(self):
        return 30000
response = module.handler(json.loads(sys.argv[2]), Context())
t2 = time.perf_counter()
print(json.dumps({"init_ms": (t1 - t0) * 1000, "first_ms": (t2 - t1) * 1000,
                  "status": response.get("statusCode")}))
"""


def source_only(function: str, folder: Path, progress=lambda _: None) -> Path:
    """The function's zip as a `--no-compile` build ships it (host architecture)."""
    import platform

    from .build import build_function

    arch = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
    return build_function(function, folder, arch=arch, compile_pyc=False, progress=progress).path


def unpack_read_only(zip_path: Path, folder: Path) -> None:
    """Unpack and remove write permission, like Lambda's /var/task."""
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(folder)
    for path in sorted(folder.rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    folder.chmod(0o555)


def lambda_python(folder: Path) -> Path:
    """A clean Python 3.12 venv holding only the locked boto3, compiled like the runtime's."""
    import tomllib

    venv = folder / "venv"
    subprocess.run(["uv", "venv", "--quiet", "--python", "3.12", str(venv)], check=True)
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    boto3 = next(p["version"] for p in lock["package"] if p["name"] == "boto3")
    subprocess.run(
        ["uv", "pip", "install", "--quiet", "--compile-bytecode", "--python",
         str(venv / "bin" / "python"), f"boto3=={boto3}"],
        check=True,
    )  # fmt: skip
    return venv / "bin" / "python"


def sample_data(folder: Path) -> tuple[dict, str]:
    """WIKIBOT_* settings of a data folder with alice/notes and a token."""
    from wikibot.local.dev import local_settings
    from wikibot.provision import create_wiki
    from wikibot.registry import open_registry
    from wikibot.settings import to_env

    settings = local_settings(folder / "data")
    registry = open_registry(settings)
    registry.create_user("alice", "alice@example.com", "Alice")
    create_wiki(settings, registry, "alice", "notes", "Notes")
    _, token = registry.create_token("alice", "alice", "notes")
    return to_env(settings), token


def sample_event(function: str, token: str) -> dict:
    """The recorded API Gateway v2 events, authorised for the sample wiki."""
    events = ROOT / "tests" / "events"
    if function == "mcp":
        event = json.loads((events / "apigw_v2_post_mcp.json").read_text())
    elif function == "wiki":
        event = json.loads((events / "apigw_v2_get_page.json").read_text())
        event.pop("cookies", None)
        event.pop("queryStringParameters", None)
        event["rawQueryString"] = ""
    else:  # platform: the management API's OpenAPI document
        event = json.loads((events / "apigw_v2_get_page.json").read_text())
        event.pop("cookies", None)
        event.pop("queryStringParameters", None)
        event.update(rawPath="/api/openapi.json", rawQueryString="")
        event["requestContext"]["http"]["path"] = "/api/openapi.json"
    event["headers"]["authorization"] = f"Bearer {token}"
    return event


def run_once(python: Path, task: Path, env: dict, handler: str, event: dict) -> dict:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    proc = subprocess.run(
        [str(python), "-c", PROBE, handler, json.dumps(event)],
        capture_output=True,
        text=True,
        cwd=task,
        env={**clean, **env, "PYTHONPATH": str(task), "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=300,
        check=False,
    )
    if proc.returncode:
        raise RuntimeError(f"{handler} failed from {task}:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(out: Path, runs: int, progress=lambda _: None) -> list[dict]:
    """Rows of the E-5 table for every built function whose handler module exists."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="release-measure-") as tmp:
        tmp_path = Path(tmp)
        progress("creating a clean Python 3.12 with only boto3")
        python = lambda_python(tmp_path)
        env, token = sample_data(tmp_path)
        for function, handler in HANDLERS.items():
            zipped = out / f"{function}.zip"
            source = ROOT / "lambdas" / (handler.replace(".", "/") + ".py")
            if not zipped.exists() or not source.exists():
                continue
            plain = source_only(function, tmp_path / "nopyc")
            row = {
                "function": function,
                "handler": handler,
                "zip_bytes": zipped.stat().st_size,
                "zip_nopyc_bytes": plain.stat().st_size,
            }
            for label, path in (("pyc", zipped), ("nopyc", plain)):
                task = tmp_path / f"task-{function}-{label}"
                unpack_read_only(path, task)
                samples = []
                for i in range(runs):
                    progress(f"{function} {label} run {i + 1}/{runs}")
                    samples.append(
                        run_once(python, task, env, handler, sample_event(function, token))
                    )
                row[f"init_ms_{label}"] = statistics.median(s["init_ms"] for s in samples)
                row[f"first_ms_{label}"] = statistics.median(s["first_ms"] for s in samples)
                row[f"status_{label}"] = sorted({s["status"] for s in samples}, key=str)
            rows.append(row)
        for path in tmp_path.rglob("*"):  # let TemporaryDirectory remove the read-only trees
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)
    return rows


def table(rows: list[dict], runs: int) -> str:
    """Markdown table for docs/benchmarks.md."""
    lines = [
        "| function | zip (.pyc) | zip (no .pyc) | INIT .pyc | INIT no .pyc | first request .pyc "
        "| first request no .pyc |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        mb, mb_nopyc = r["zip_bytes"] / 1e6, r["zip_nopyc_bytes"] / 1e6
        lines.append(
            f"| {r['function']} | {mb:.1f} MB | {mb_nopyc:.1f} MB "
            f"| {r['init_ms_pyc']:.0f} ms | {r['init_ms_nopyc']:.0f} ms "
            f"| {r['first_ms_pyc']:.0f} ms | {r['first_ms_nopyc']:.0f} ms |"
        )
    lines.append(f"\nMedians of {runs} fresh processes each; Python {sys.version.split()[0]}.")
    return "\n".join(lines)
