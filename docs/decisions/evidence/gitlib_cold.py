"""Cold-start cost of the three ways to read a git repository from Python.

For decision 0001 (git library). Each variant runs in fresh interpreters (as a cold Lambda
does): import the library, open a bare repository and read the tree of HEAD. Bytecode is
compiled once into a private cache first (PYTHONPYCACHEPREFIX), so both libraries are measured
with .pyc, as the shipped zips will be. The `git` binary variant times one `git rev-parse`
subprocess from an already running interpreter (the per-call cost GitPython and Otterwiki's
GitStorage pay, since they shell out for most operations).

Usage: uv run python docs/decisions/evidence/gitlib_cold.py [--runs 9] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VARIANTS = {
    "python only": "pass\n",
    "dulwich": (
        "from dulwich.repo import Repo\n"
        "repo = Repo(PATH)\n"
        "tree = repo[repo[repo.head()].tree]\n"
        "assert len(tree) > 0\n"
    ),
    "GitPython": (
        "import git\n"
        "repo = git.Repo(PATH)\n"
        "tree = repo.head.commit.tree\n"
        "assert len(tree) > 0\n"
    ),
}

TIMER = (
    "import time, sys\n"
    "t0 = time.perf_counter()\n"
    "PATH = sys.argv[1]\n"
    "{body}"
    "print((time.perf_counter() - t0) * 1000)\n"
)


def make_repo(root: Path, pages: int = 200) -> Path:
    """A bare repository with `pages` files in one commit, built with the git CLI."""
    work, bare = root / "work", root / "repo.git"
    work.mkdir()
    for i in range(pages):
        (work / f"page-{i}.md").write_text(f"# Page {i}\n\nSome text.\n")
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"}
    for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "seed"]):
        subprocess.run(["git", "-C", str(work), *cmd], check=True, env=env)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    return bare


def fresh_process_ms(code: str, repo: Path, env: dict) -> tuple[float, float]:
    """(in-process ms from first statement to done, wall ms of the whole process)."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, str(repo)], env=env, check=True,
                         capture_output=True, text=True).stdout
    return float(out.strip()), (time.perf_counter() - start) * 1000


def git_call_ms(repo: Path, runs: int) -> float:
    """Median ms of one `git rev-parse HEAD^{tree}` subprocess."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD^{tree}"], check=True,
                       capture_output=True)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def measure(runs: int) -> dict:
    """Run every variant `runs` times, interleaved, and return medians."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        repo = make_repo(root)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        codes = {name: TIMER.format(body=body) for name, body in VARIANTS.items()}
        for code in codes.values():  # compile bytecode once, untimed
            fresh_process_ms(code, repo, env)
        inner = {name: [] for name in codes}
        wall = {name: [] for name in codes}
        for _ in range(runs):
            for name, code in codes.items():
                a, b = fresh_process_ms(code, repo, env)
                inner[name].append(a)
                wall[name].append(b)
        return {
            "runs": runs,
            "python": sys.version.split()[0],
            "git": subprocess.run(["git", "--version"], capture_output=True, text=True,
                                  check=True).stdout.strip(),
            "fresh_process": {
                name: {"import_open_read_ms": round(statistics.median(inner[name]), 1),
                       "process_wall_ms": round(statistics.median(wall[name]), 1)}
                for name in codes
            },
            "git_subprocess_call_ms": round(git_call_ms(repo, runs * 3), 1),
        }


def main() -> int:
    """Print the medians as a table or JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="fresh processes per variant")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    if shutil.which("git") is None:
        parser.error("needs the git binary to build the test repository")
    result = measure(args.runs)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"median of {result['runs']} fresh processes, Python {result['python']}, "
          f"{result['git']}, .pyc")
    print("| variant | import + open + read HEAD tree, ms | process wall, ms |")
    print("|---|---:|---:|")
    for name, row in result["fresh_process"].items():
        print(f"| {name} | {row['import_open_read_ms']} | {row['process_wall_ms']} |")
    print(f"\none `git rev-parse` subprocess: {result['git_subprocess_call_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
