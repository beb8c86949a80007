"""A bare git repository written at the object level, safe under concurrent writers.

Why not dulwich porcelain: a work-tree commit reads HEAD twice and silently loses commits when
several processes write at once (measured: 100 "successful" commits, 96 landed). Here every write
builds blob -> tree -> commit objects and moves the branch with compare-and-set; if another writer
moved it first, the change is rebuilt on the new head and retried with jittered backoff.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dulwich.errors import NotTreeError
from dulwich.file import FileLocked
from dulwich.object_store import commit_tree_changes, tree_lookup_path
from dulwich.objects import Blob, Commit, Tree
from dulwich.repo import Repo

from wikibot.errors import InvalidInput, NotFound, WikibotError
from wikibot.store.cache import LRU

BRANCH = b"refs/heads/main"
FILE_MODE = 0o100644
ZERO = b"0" * 40

# Parsed trees and commits of every wiki in this process, by object id.
_PARSED: LRU[Tree | Commit] = LRU(4096)

# (path, bytes) writes a file; (path, None) deletes it.
Change = tuple[str, bytes | None]


@dataclass(frozen=True)
class Author:
    """Who acts, and through which door (`mcp`, `web`, `git`, `system`)."""

    name: str
    email: str
    source: str = "system"

    @property
    def signature(self) -> bytes:
        """Git's `Name <email>` form."""
        name = self.name.replace("<", "").replace(">", "").strip() or "unknown"
        return f"{name} <{self.email.replace('<', '').replace('>', '')}>".encode()


class Busy(WikibotError):
    """The branch stayed contended for longer than the retry budget; the caller may retry."""


class GitRepo:
    """One wiki's bare repository: reads at a revision and compare-and-set commits.

    Args:
        path: The `repo.git` folder.
        stale_lock_seconds: A `*.lock` older than this is a leftover of a killed writer and is
            removed; live writers hold locks for milliseconds.
        max_attempts: Commit retries before giving up with `Busy`.
    """

    def __init__(self, path: Path, *, stale_lock_seconds: float = 10.0, max_attempts: int = 200):
        self.path = Path(path)
        if not (self.path / "objects").is_dir():
            raise NotFound(f"No wiki repository at {self.path.name!r}; create the wiki first.")
        self.stale_lock_seconds = stale_lock_seconds
        self.max_attempts = max_attempts
        self._repo = Repo(str(self.path))
        self.objects = self._repo.object_store

    @classmethod
    def init(cls, path: Path, **kwargs: float) -> GitRepo:
        """Create an empty bare repository whose HEAD points at `main`."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        Repo.init_bare(str(path))
        repo = cls(path, **kwargs)
        repo._repo.refs.set_symbolic_ref(b"HEAD", BRANCH)
        return repo

    # -- reading -------------------------------------------------------------------------------

    def head(self) -> bytes | None:
        """The current commit id of `main`, or None for a repository with no commit yet."""
        try:
            return self._repo.refs[BRANCH]
        except KeyError:
            return None

    def resolve(self, revision: str | None) -> bytes:
        """Turn a revision (full id, a 7+ character prefix, or None for head) into a commit id."""
        if not revision:
            head = self.head()
            if head is None:
                raise NotFound("The wiki has no commits yet.")
            return head
        rev = revision.strip().lower()
        if len(rev) < 7 or len(rev) > 40 or any(c not in "0123456789abcdef" for c in rev):
            raise InvalidInput(
                f"Revision {revision!r} is not a commit id: pass at least 7 hex characters "
                "from read_note, get_history or get_recent_changes."
            )
        matches = [m for m in self.objects.iter_prefix(rev.encode()) if self._is_commit(m)]
        if len(matches) != 1:
            what = "No" if not matches else "More than one"
            raise NotFound(f"{what} commit matches revision {revision!r}; check the id.")
        return matches[0]

    def _is_commit(self, sha: bytes) -> bool:
        return self.objects[sha].type_name == b"commit"

    def parsed(self, sha: bytes) -> Tree | Commit:
        """A tree or commit, parsed once per process (shared by all wikis: ids name content).

        Callers must not mutate the result (dulwich's `commit_tree_changes` mutates the trees it
        loads, so it is given the uncached object store).
        """
        return _PARSED.get_or_make(sha, lambda: self.objects[sha])

    def commit(self, sha: bytes) -> Commit:
        """The commit object with this id."""
        return self.parsed(sha)

    def tree_of(self, commit_id: bytes) -> bytes:
        """The root tree id of a commit."""
        return self.commit(commit_id).tree

    def entry(self, tree: bytes, path: str) -> tuple[int, bytes] | None:
        """(mode, sha) at `path` under a root tree, or None when nothing is there."""
        try:
            return tree_lookup_path(self.parsed, tree, path.encode())
        except (KeyError, NotTreeError):
            return None

    def blob_id(self, tree: bytes, path: str) -> bytes | None:
        """The blob id of a file under a root tree, or None if it is missing or a folder."""
        found = self.entry(tree, path)
        if found is None or found[0] & 0o170000 != 0o100000:
            return None
        return found[1]

    def read(self, tree: bytes, path: str) -> bytes | None:
        """The bytes of a file under a root tree, or None."""
        sha = self.blob_id(tree, path)
        return None if sha is None else self.objects[sha].data

    def walk_files(self, tree: bytes, prefix: str = "") -> Iterator[tuple[str, bytes]]:
        """Yield (path, blob id) for every file under a tree, depth first."""
        for item in self.parsed(tree).iteritems():
            name = item.path.decode("utf-8", "replace")
            path = f"{prefix}{name}"
            if item.mode & 0o170000 == 0o040000:
                yield from self.walk_files(item.sha, path + "/")
            elif item.mode & 0o170000 == 0o100000:
                yield path, item.sha

    def log(self, *, paths: list[str] | None = None, limit: int | None = None) -> Iterator[Commit]:
        """Commits reachable from head, newest first, optionally only those touching `paths`."""
        head = self.head()
        if head is None:
            return iter(())
        walker = self._repo.get_walker(
            include=[head],
            paths=[p.encode() for p in paths] if paths else None,
            max_entries=limit,
        )
        return (entry.commit for entry in walker)

    # -- writing -------------------------------------------------------------------------------

    def commit_changes(
        self,
        plan: Callable[[bytes | None, bytes | None], list[Change]],
        author: Author,
        message: str,
    ) -> bytes:
        """Commit the changes `plan(head, tree)` returns, moving `main` with compare-and-set.

        `plan` is called again on every retry with the new head and tree, so it must re-check its
        preconditions (for example that the page is still at the revision the caller read) and
        raise to abort. Returns the new commit id.
        """
        for attempt in range(self.max_attempts):
            head = self.head()
            tree = self.tree_of(head) if head else None
            changes = plan(head, tree)
            new_commit = self._build_commit(head, tree, changes, author, message)
            if self._move_branch(head, new_commit):
                return new_commit
            # Lost the race: someone else committed; rebuild on their head after a short pause.
            time.sleep(random.uniform(0, min(0.05, 0.002 * 2 ** min(attempt, 5))))
        raise Busy("The wiki is busy with other writes; retry in a moment.")

    def _build_commit(
        self,
        head: bytes | None,
        tree: bytes | None,
        changes: list[Change],
        author: Author,
        message: str,
    ) -> bytes:
        tree_changes = []
        for path, data in changes:
            if data is None:
                if tree is not None and self.entry(tree, path) is not None:
                    tree_changes.append((path.encode(), None, None))
                continue
            blob = Blob.from_string(data)
            self._add(blob)
            tree_changes.append((path.encode(), FILE_MODE, blob.id))
        base = tree if tree is not None else self._empty_tree()
        new_tree = commit_tree_changes(self.objects, base, tree_changes)
        now = int(time.time())
        commit = Commit()
        commit.tree = new_tree
        commit.parents = [head] if head else []
        commit.author = commit.committer = author.signature
        commit.author_time = commit.commit_time = now
        commit.author_timezone = commit.commit_timezone = 0
        commit.encoding = b"UTF-8"
        commit.message = message.encode() + (b"" if message.endswith("\n") else b"\n")
        self._add(commit)
        return commit.id

    def _empty_tree(self) -> bytes:
        tree = Tree()
        self._add(tree)
        return tree.id

    def _add(self, obj: Blob | Tree | Commit) -> None:
        """Store an object; a concurrent writer of the identical object is waited out."""
        for _ in range(self.max_attempts):
            try:
                self.objects.add_object(obj)
                return
            except FileLocked as locked:
                if obj.id in self.objects:
                    return  # the other writer finished writing these exact bytes
                self._clear_if_stale(locked.lockfilename)
                time.sleep(random.uniform(0.001, 0.005))
        raise Busy("Could not store an object: a lock stayed held; retry in a moment.")

    def _move_branch(self, head: bytes | None, new_commit: bytes) -> bool:
        try:
            return self._repo.refs.set_if_equals(BRANCH, head or ZERO, new_commit)
        except FileLocked as locked:
            self._clear_if_stale(locked.lockfilename)
            return False

    def _clear_if_stale(self, lockfile: str | bytes) -> None:
        """Remove a lock left by a killed writer (older than `stale_lock_seconds`)."""
        lockfile = os.fsdecode(lockfile)
        try:
            age = time.time() - os.stat(lockfile).st_mtime
            if age > self.stale_lock_seconds:
                os.unlink(lockfile)
        except FileNotFoundError:
            pass
