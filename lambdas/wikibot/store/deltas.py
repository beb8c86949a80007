"""Deltas: what each commit made through the store changed, so the index need not diff trees.

`GitRepo` records one small file per commit it makes (`{repo.git}/wikibot/index-delta/{id}.json`:
the parent, the paths changed and the new link targets of changed pages). A process whose index
is behind head (a fresh Lambda, or another process wrote) applies these instead of parsing and
diffing trees; commits without one (a git push) are diffed. Files are written atomically and
removed once a saved index covers their commit.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wikibot.files import write_private

if TYPE_CHECKING:
    from wikibot.store.headindex import Snapshot
    from wikibot.store.repo import GitRepo

DELTA_DIR = "index-delta"


@dataclass(frozen=True)
class Delta:
    """What one commit changed: paths touched, and new link targets of changed pages."""

    paths: list[str]
    links: dict[str, list[str] | None]  # page file -> targets, or None when deleted


def delta_path(repo: GitRepo, commit: bytes) -> str:
    """The delta file of a commit."""
    return str(repo.path / "wikibot" / DELTA_DIR / (commit.decode() + ".json"))


def write_delta(repo: GitRepo, commit: bytes, parent: bytes | None, delta: Delta) -> None:
    """Record what `commit` (child of `parent`) changed, atomically."""
    data = {"parent": parent.decode() if parent else None, "paths": delta.paths}
    data["links"] = delta.links
    body = json.dumps(data, separators=(",", ":")).encode()
    repo.state_path(DELTA_DIR)  # the state folder exists, mode 0700
    write_private(delta_path(repo, commit), body, durable=False)


def read_delta(repo: GitRepo, commit: bytes, parent: bytes) -> Delta | None:
    """The recorded delta of `commit` if there is a readable one for this parent, else None."""
    try:
        with open(delta_path(repo, commit), "rb") as f:
            data = json.loads(f.read())
        if data["parent"] != parent.decode():
            return None
        return Delta(list(data["paths"]), dict(data["links"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # none recorded (a push) or unreadable: diff the trees instead


def prune_deltas(repo: GitRepo, snap: Snapshot) -> None:
    """Remove delta files of commits the saved index already holds."""
    folder = repo.path / "wikibot" / DELTA_DIR
    try:
        files = os.listdir(folder)
    except FileNotFoundError:
        return
    if not files:
        return
    covered = set(snap.commits)
    for name in files:
        if name.removesuffix(".json") in covered:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(folder / name)
