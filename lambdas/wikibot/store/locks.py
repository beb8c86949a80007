"""Telling a live writer's lock from a dead one's, without ever taking a live one.

dulwich moves a branch through `refs/heads/main.lock` (and older versions of this store wrote
objects through `objects/xx/*.lock`). A writer killed by SIGKILL leaves its lock behind, and
every later write would wait for it to go stale. So every writer of the store holds a shared
`flock` on `{repo.git}/wikibot/writers.lock` while it writes; the kernel drops it when the
process dies.

A writer that meets a lock older than `grace_seconds` proves whether its owner lives: it closes
the gate (`gate.lock`, exclusive), so no new writer starts, then waits for the writers' lock
exclusively, which it gets once every writer mid-attempt has finished (they hold it for
milliseconds). Then no cooperating writer can hold a lock, and what is left is a dead writer's.
Age alone never decides: under heavy load a live writer can be descheduled for seconds, and
removing its lock lost a write (found by `tools/bench` with 50 writers at load 30).
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
        grace_seconds: A lock younger than this is a live writer's at work: just retry.
    """

    def __init__(self, path: Path, grace_seconds: float = 0.25):
        self.path = Path(path)
        self.grace_seconds = grace_seconds

    def _open(self, name: str) -> int:
        folder = self.path / STATE_DIR
        if not folder.is_dir():
            folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        return os.open(folder / name, os.O_RDWR | os.O_CREAT, 0o600)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the shared writers' lock while writing objects or moving refs."""
        fd = self._open("writers.lock")
        try:
            gate = self._open("gate.lock")
            try:
                fcntl.flock(gate, fcntl.LOCK_SH)  # waits while a recovery holds the gate
                fcntl.flock(fd, fcntl.LOCK_SH)
            finally:
                os.close(gate)
            yield
        finally:
            os.close(fd)  # releases the flock

    def recover(self, lockfile: str | None = None) -> None:
        """Remove `lockfile` and leftover object locks if they are a dead writer's.

        Must not be called while holding `writing()` (it waits for every writer to finish).
        """
        if lockfile and not _older_than(lockfile, self.grace_seconds):
            return  # a young lock: its writer is almost surely at work
        gate = self._open("gate.lock")
        try:
            fcntl.flock(gate, fcntl.LOCK_EX)  # no new writer starts
            fd = self._open("writers.lock")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # every writer mid-attempt has finished
                if lockfile:
                    _unlink_if_older(lockfile, self.grace_seconds)
                self._sweep_object_locks(self.grace_seconds)
            finally:
                os.close(fd)
        finally:
            os.close(gate)

    def _sweep_object_locks(self, older_than: float) -> None:
        with os.scandir(self.path / "objects") as fanout:
            for folder in fanout:
                if len(folder.name) != 2 or not folder.is_dir():
                    continue
                with os.scandir(folder.path) as entries:
                    for entry in entries:
                        if entry.name.endswith(".lock"):
                            _unlink_if_older(entry.path, older_than)


def _older_than(path: str, seconds: float) -> bool:
    try:
        return time.time() - os.stat(path).st_mtime > seconds
    except FileNotFoundError:
        return False


def _unlink_if_older(path: str, seconds: float) -> None:
    # Only ever called while no cooperating writer can hold a lock; the age still spares a lock
    # that a program outside wikibot (a `git` on the bare repository) took a moment ago.
    if _older_than(path, seconds):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
