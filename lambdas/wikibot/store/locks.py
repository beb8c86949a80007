"""Telling a live writer's lock from a dead one's.

dulwich moves a branch through `refs/heads/main.lock` (and older versions of this store wrote
objects through `objects/xx/*.lock`). A writer killed by SIGKILL leaves its lock behind, and
every later write would wait for it to go stale. So every writer of the store holds a shared
`flock` on `{repo.git}/wikibot/writers.lock` while it writes; the kernel drops it when the
process dies. A writer that meets a lock takes that file exclusively without waiting: if it
gets it, no cooperating writer is mid-commit, and a lock older than `grace_seconds` (a margin for
writers that do not take the flock) is a dead writer's. If other writers are active, only locks
older than `stale_lock_seconds` are removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from wikibot.files import PRIVATE_DIR_MODE

STATE_DIR = "wikibot"


class WriterLocks:
    """The writers' flock of one repository, and recovery of dead writers' lock files.

    Args:
        path: The `repo.git` folder.
        grace_seconds: With no cooperating writer active, a lock older than this is removed.
        stale_lock_seconds: A lock older than this is removed even while others write.
    """

    def __init__(self, path: Path, grace_seconds: float, stale_lock_seconds: float):
        self.path = Path(path)
        self.grace_seconds = min(grace_seconds, stale_lock_seconds)
        self.stale_lock_seconds = stale_lock_seconds

    def _open(self) -> int:
        folder = self.path / STATE_DIR
        if not folder.is_dir():
            folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        return os.open(folder / "writers.lock", os.O_RDWR | os.O_CREAT, 0o600)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the shared writers' lock while writing objects or moving refs."""
        fd = self._open()
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            yield
        finally:
            os.close(fd)  # releases the flock

    def recover(self, lockfile: str | None = None) -> None:
        """Remove `lockfile` and leftover object locks if they are a dead writer's."""
        fd = self._open()
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                alone = True
            except BlockingIOError:
                alone = False
            limit = self.grace_seconds if alone else self.stale_lock_seconds
            if lockfile:
                _unlink_if_older(lockfile, limit)
            if alone:
                self._sweep_object_locks(limit)
        finally:
            os.close(fd)

    def _sweep_object_locks(self, older_than: float) -> None:
        with os.scandir(self.path / "objects") as fanout:
            for folder in fanout:
                if len(folder.name) != 2 or not folder.is_dir():
                    continue
                with os.scandir(folder.path) as entries:
                    for entry in entries:
                        if entry.name.endswith(".lock"):
                            _unlink_if_older(entry.path, older_than)


def _unlink_if_older(path: str, seconds: float) -> None:
    try:
        if time.time() - os.stat(path).st_mtime > seconds:
            os.unlink(path)
    except FileNotFoundError:
        pass
