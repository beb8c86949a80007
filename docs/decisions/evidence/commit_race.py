"""Concurrent writers on one repository: dulwich porcelain vs wikibot's object-level commits.

For decision 0001 (git library). N processes each commit M distinct files at the same time.
Every writer reports how many commits it believes landed; the script then counts what the
repository really holds: commits reachable from the branch and files in its tree.

- `porcelain`: a work tree, `dulwich.porcelain.add` + `commit` (what most examples do).
- `store`: a bare repository through `wikibot.store.WikiStore.write` (blob, tree, commit built
  as objects; the branch moved by compare-and-set, rebuilt and retried when it moved).

Usage: uv run python docs/decisions/evidence/commit_race.py [--writers 5] [--commits 20]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path


def porcelain_writer(path: str, writer: int, commits: int, start_at: float) -> int:
    """Commit `commits` files through a shared work tree; return how many calls succeeded."""
    from dulwich import porcelain

    time.sleep(max(0.0, start_at - time.time()))
    ok = 0
    for j in range(commits):
        name = f"w{writer}-{j}.md"
        (Path(path) / name).write_text(f"writer {writer} commit {j}\n")
        try:
            porcelain.add(path, [str(Path(path) / name)])
            porcelain.commit(path, message=f"{name}".encode(), author=b"w <w@x>",
                             committer=b"w <w@x>")
            ok += 1
        except Exception:  # noqa: BLE001 - a refused commit is a result, not a crash
            pass
    return ok


def store_writer(path: str, writer: int, commits: int, start_at: float) -> int:
    """Write `commits` pages through wikibot's store; return how many writes it acknowledged."""
    from wikibot.store import Author, WikiStore

    time.sleep(max(0.0, start_at - time.time()))
    store = WikiStore.open(Path(path))
    ok = 0
    for j in range(commits):
        store.write(f"W{writer}-{j}", f"writer {writer} commit {j}\n", Author("w", "w@x", "mcp"))
        ok += 1
    return ok


def count(path: Path, bare: bool) -> tuple[int, int]:
    """(commits reachable from HEAD, files in HEAD's tree), read with dulwich."""
    from dulwich.repo import Repo

    repo = Repo(str(path))
    head = repo.head()
    commits = sum(1 for _ in repo.get_walker(include=[head]))
    files = sum(1 for _ in repo.object_store.iter_tree_contents(repo[head].tree))
    return commits, files


def race(kind: str, writers: int, commits: int) -> dict:
    """Run one race in a fresh directory and return claimed vs real counts."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "repo"
        if kind == "porcelain":
            from dulwich import porcelain

            porcelain.init(str(path))
            (path / "seed.md").write_text("seed\n")
            porcelain.add(str(path), [str(path / "seed.md")])
            porcelain.commit(str(path), message=b"seed", author=b"s <s@x>", committer=b"s <s@x>")
            target = porcelain_writer
        else:
            from wikibot.store import Author, GitRepo, WikiStore

            GitRepo.init(path)
            WikiStore.open(path).write("Seed", "seed\n", Author("s", "s@x", "system"))
            target = store_writer
        start_at = time.time() + 1.0
        with mp.get_context("spawn").Pool(writers) as pool:
            claimed = pool.starmap(target, [(str(path), w, commits, start_at)
                                            for w in range(writers)])
        real_commits, real_files = count(path, bare=kind == "store")
        return {
            "kind": kind,
            "writers": writers,
            "commits_each": commits,
            "acknowledged": sum(claimed),
            "commits_in_history": real_commits - 1,  # minus the seed
            "files_in_tree": real_files - 1,
        }


def main() -> int:
    """Run both races and print the counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=5)
    parser.add_argument("--commits", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = [race(kind, args.writers, args.commits) for kind in ("porcelain", "store")]
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print("| writer | acknowledged | commits in history | files in tree | expected |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['kind']} | {r['acknowledged']} | {r['commits_in_history']} | "
              f"{r['files_in_tree']} | {r['writers'] * r['commits_each']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
