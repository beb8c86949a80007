"""Build one Lambda zip: install the locked wheels for the Lambda platform, prune, compile, zip.

The zip holds `wikibot/` (from lambdas/) and the function's dependencies at its root, which
Lambda unpacks to /var/task. Bytecode is compiled here by Python 3.12 in unchecked-hash mode and
with /var/task paths, so the read-only runtime never compiles source and never checks mtimes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .deps import ARCHES, Pin, pins_for
from .static import StaticSet, collect
from .trim import trim
from .zipping import Report, write_zip

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lambdas" / "wikibot"
LAMBDA_PYTHON = (3, 12)
TASK_ROOT = "/var/task"
# Dead weight inside installed packages: type stubs, C/Cython sources, test suites.
DROP_SUFFIXES = (".pyi", ".pyx", ".pxd", ".pxi", ".c", ".h", ".cpp")
DROP_DIRS = frozenset({"__pycache__", "tests", "test"})
# dist-info files nothing reads at run time (importlib.metadata needs METADATA, entry points).
DROP_DIST_INFO = frozenset({"RECORD", "INSTALLER", "REQUESTED", "direct_url.json", "uv_cache.json"})
# The python3.12 runtime is Amazon Linux 2023 (glibc 2.34); greenlet ships no manylinux2014 wheel.
MANYLINUX = "manylinux_2_34"

Progress = Callable[[str], None]


class BuildError(RuntimeError):
    """A build step failed; the message says which and why."""


@dataclass
class Built:
    """One built zip and what went into it."""

    function: str
    path: Path
    sha256: str
    pins: list[Pin]
    report: Report
    compiled: bool
    compile_failures: list[str] = field(default_factory=list)
    static: StaticSet | None = None  # Otterwiki's static files (wiki), for the static bucket

    def key(self, version: str | None = None) -> str:
        """The artifacts-bucket key: by content hash, or the README's version layout."""
        if version:
            return f"wikibot/{version}/{self.function}.zip"
        return f"wikibot/{self.function}/{self.sha256}.zip"


def require_lambda_python() -> None:
    """Refuse to compile bytecode with anything but the Lambda runtime's Python minor version."""
    if sys.version_info[:2] != LAMBDA_PYTHON:
        found = ".".join(map(str, sys.version_info[:3]))
        raise BuildError(
            f"tools/release must run on Python 3.12 (the Lambda runtime's), found {found}: "
            "its .pyc files would not load there"
        )


def run_manifest_step(progress: Progress) -> bool:
    """Run the MCP manifest build (`python -m wikibot.mcp.fast.build`) if that module exists."""
    if not (PACKAGE / "mcp" / "fast" / "build.py").exists():
        return False
    progress("running the MCP manifest build: python -m wikibot.mcp.fast.build")
    proc = subprocess.run(
        [sys.executable, "-m", "wikibot.mcp.fast.build"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise BuildError(f"wikibot.mcp.fast.build failed:\n{proc.stdout}{proc.stderr}")
    return True


def install(pins: list[Pin], target: Path, arch: str, progress: Progress) -> None:
    """Install exactly the pinned distributions for the Lambda platform into `target`."""
    uv = shutil.which("uv")
    if not uv:
        raise BuildError("uv is required on PATH")
    wanted = pins
    requirements = target.parent / "requirements.txt"
    requirements.write_text("".join(p.requirement + "\n" for p in wanted))
    command = [
        uv, "pip", "install", "--quiet", "--no-deps", "--link-mode", "copy",
        "--target", str(target),
        "--python-platform", f"{ARCHES[arch]}-{MANYLINUX}",
        "--python-version", ".".join(map(str, LAMBDA_PYTHON)),
        "--only-binary", ":all:",
        "-r", str(requirements),
    ]  # fmt: skip
    # Pure-Python packages published only as sdists (feedgen) are built locally.
    for pin in wanted:
        if not pin.has_wheels:
            command += ["--no-binary", pin.name]
    progress(f"installing {len(wanted)} packages for {ARCHES[arch]}-{MANYLINUX}")
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode:
        raise BuildError(f"uv pip install failed:\n{proc.stderr}")


def copy_package(target: Path, package: Path = PACKAGE) -> None:
    """Copy the wikibot package (sources and data files, no caches) into the zip root."""
    shutil.copytree(
        package, target / "wikibot", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )


def prune(target: Path) -> int:
    """Delete what the runtime never reads; returns the bytes removed."""
    removed = 0

    def size(path: Path) -> int:
        if path.is_dir():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return path.stat().st_size

    def drop(path: Path) -> None:
        nonlocal removed
        removed += size(path)
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    for top in ("bin", "share", "include"):  # console scripts, man pages, headers
        if (target / top).exists():
            drop(target / top)
    for directory, subdirs, files in os.walk(target, topdown=True):
        here = Path(directory)
        is_dist_info = here.name.endswith(".dist-info")
        for name in sorted(subdirs):
            # Only inside packages: a top-level distribution named "test" would be real code.
            if name in DROP_DIRS and (here != target or name == "__pycache__"):
                drop(here / name)
                subdirs.remove(name)
        for name in files:
            if name.endswith(DROP_SUFFIXES) or name.endswith(".pyc"):
                drop(here / name)
            elif is_dist_info and name in DROP_DIST_INFO:
                drop(here / name)
    return removed


# Shipped with their sources beside the bytecode (PEP 3147 `__pycache__/` layout): wikibot's own
# package, so tracebacks in CloudWatch show the failing line of our code (0.3 MB zipped), and
# Otterwiki's server.py, which wikibot.web.library reads as text (it runs selected statements).
# Everything else ships sourceless: `x.pyc` where `x.py` was (decision 0013).
KEEP_SOURCES = ("wikibot/", "otterwiki/server.py")
COMPILE_SCRIPT = r"""
import json, os, py_compile, sys
from importlib.util import cache_from_source
root, task_root, keep = sys.argv[1], sys.argv[2], tuple(json.loads(sys.argv[3]))
failed = []
for folder, dirs, files in os.walk(root):
    dirs.sort()
    for name in sorted(files):
        if not name.endswith(".py"):
            continue
        path = os.path.join(folder, name)
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        sourced = rel.startswith(keep)
        cfile = cache_from_source(path) if sourced else path + "c"
        try:
            py_compile.compile(path, cfile=cfile, dfile=task_root + "/" + rel, doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        except py_compile.PyCompileError:
            failed.append(rel)
            continue
        if not sourced:
            os.remove(path)
print(json.dumps(failed))
"""


def compile_bytecode(target: Path, keep_sources: tuple[str, ...] = KEEP_SOURCES) -> list[str]:
    """Compile every module in unchecked-hash mode with /var/task paths; returns failures.

    Modules under `keep_sources` keep their `.py` with the bytecode in `__pycache__/`; all others
    become sourceless `x.pyc` beside where `x.py` was (the import system loads those with its
    SourcelessFileLoader and never looks for a source). A separate interpreter with a fixed hash
    seed: set and frozenset constants are marshalled in hash order, so a random seed would make
    the bytes differ from build to build.
    """
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    proc = subprocess.run(
        [sys.executable, "-c", COMPILE_SCRIPT, str(target), TASK_ROOT, json.dumps(keep_sources)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode:
        raise BuildError(f"compiling bytecode failed:\n{proc.stderr[-2000:]}")
    # Files that do not parse under 3.12 (vendored Python 2 examples and the like) are reported
    # and shipped as source; the runtime would fail on them in the same way.
    return json.loads(proc.stdout.strip().splitlines()[-1])


def build_function(
    function: str,
    out: Path,
    *,
    arch: str,
    compile_pyc: bool = True,
    lock: Path = ROOT / "uv.lock",
    package: Path = PACKAGE,
    progress: Progress = lambda _: None,
) -> Built:
    """Build `out/<function>.zip` and return its report."""
    require_lambda_python()
    pins = pins_for(lock, function, arch)
    progress(f"{len(pins)} locked packages from {lock.name}")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"release-{function}-") as tmp:
        target = Path(tmp) / "task"
        target.mkdir()
        install(pins, target, arch, progress)
        copy_package(target, package)
        static = None
        otterwiki = next((p for p in pins if p.name == "otterwiki"), None)
        if otterwiki:  # served by CloudFront from S3, so taken out before the trim
            static = collect(target, otterwiki.version, out)
            progress(f"collected {len(static.files)} static files for /{static.prefix}")
        progress(f"pruned {prune(target) / 1e6:.1f} MB of tests, stubs, sources and caches")
        trimmed = trim(function, target)
        if trimmed:
            progress(f"trimmed {trimmed / 1e6:.1f} MB the function never reads (trim.py)")
        failures: list[str] = []
        if compile_pyc:
            progress("compiling bytecode (Python 3.12, unchecked-hash)")
            failures = compile_bytecode(target)
        path = out / f"{function}.zip"
        progress(f"writing {path}")
        report = write_zip(target, path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Built(function, path, digest, pins, report, compile_pyc, failures, static)
