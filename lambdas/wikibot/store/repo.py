"""A bare git repository written at the object level, safe under concurrent writers.

Why not dulwich porcelain: a work-tree commit reads HEAD twice and silently loses commits when
several processes write at once (measured: 100 "successful" commits, 96 landed). Here every write
builds blob -> tree -> commit objects and moves the branch with compare-and-set; if another writer
moved it first, the change is rebuilt on the new head and retried with jittered backoff.

Crash recovery: objects are written to `objects/xx/tmp_obj_*` and renamed into place, so a
writer killed mid-object leaves only a temporary file that git fsck ignores and git prune
removes. A writer killed while moving the branch leaves `refs/heads/main.lock`; writers hold a
shared flock while they write, so the next writer can tell a dead writer's lock and clear it
within `grace_seconds` (0.25 s) instead of waiting for it to go stale (`wikibot.store.locks`).

Caches: parsed trees and commits are shared by every wiki in the process but keyed by
(repository, object id), so a hit is confined to the repository that asked: a commit in wiki B
naming a tree that exists only in wiki A can never be answered from A's objects.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import logging
import os
import random
import secrets
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from dulwich.file import FileLocked
from dulwich.object_store import DiskObjectStore
from dulwich.objects import Blob, Commit, Tree, parse_tree
from dulwich.refs import DiskRefsContainer
from dulwich.repo import Repo
from dulwich.walk import Walker

from wikibot import tracing
from wikibot.errors import InvalidInput, NotFound, WikibotError
from wikibot.files import PRIVATE_DIR_MODE
from wikibot.store import rules
from wikibot.store.cache import LRU
from wikibot.store.locks import STATE_DIR, WriterLocks
from wikibot.store.trees import ENTRIES, TreeChange, TreeWriter

BRANCH = b"refs/heads/main"
FILE_MODE = 0o100644
ZERO = b"0" * 40

# Parsed trees and commits of every wiki in this process, by (repository, object id).
_PARSED: LRU[Tree | Commit] = LRU(4096)
_OBJECT_TYPES: dict[bytes, type[Blob | Tree | Commit]] = {
    b"blob": Blob,
    b"tree": Tree,
    b"commit": Commit,
}

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


class Damaged(WikibotError):
    """The repository lacks an object its history names (for example a bad push)."""


class _LockMet(Exception):
    """A lock file blocked this attempt; recover outside the shared writer lock, then retry."""

    def __init__(self, lockfile: str | bytes):
        super().__init__(os.fsdecode(lockfile))
        self.lockfile = os.fsdecode(lockfile)


class GitRepo:
    """One wiki's bare repository: reads at a revision and compare-and-set commits.

    Args:
        path: The `repo.git` folder.
        grace_seconds: A `*.lock` older than this is checked for a live owner (see
            `wikibot.store.locks`) and removed only if it has none.
        max_attempts: Commit retries before giving up with `Busy`.
    """

    def __init__(
        self,
        path: Path,
        *,
        grace_seconds: float = 0.25,
        max_attempts: int = 200,
    ):
        self.path = Path(path)
        if not (self.path / "objects").is_dir():
            raise NotFound(f"No wiki repository at {self.path.name!r}; create the wiki first.")
        self.max_attempts = max_attempts
        self.locks = WriterLocks(self.path, grace_seconds)
        # The object store and refs directly, not dulwich's Repo, which parses the config (and
        # imports its module) on open: that was most of a fresh process's store work.
        self._objects_dir = str(self.path / "objects")
        self.objects = DiskObjectStore(self._objects_dir)
        self.refs = DiskRefsContainer(str(self.path))
        # Identity for process-wide caches: the real path, and the folder's inode, so that a wiki
        # deleted and created again at the same path is a different repository.
        info = os.stat(self.path)
        self.identity = (os.path.realpath(self.path), info.st_dev, info.st_ino)
        if info.st_mode & 0o077:
            os.chmod(self.path, PRIVATE_DIR_MODE)  # a repository made before it was private

    @classmethod
    def init(cls, path: Path, **kwargs: float) -> GitRepo:
        """Create an empty bare repository whose HEAD points at `main`, mode 0700.

        Folders created on the way (the user's and the wiki's) are 0700 as well.
        """
        path = Path(path)
        missing = [p for p in (path, *path.parents) if not p.exists()]
        for folder in reversed(missing):
            folder.mkdir(mode=PRIVATE_DIR_MODE)
            os.chmod(folder, PRIVATE_DIR_MODE)
        os.chmod(path, PRIVATE_DIR_MODE)
        Repo.init_bare(str(path))
        repo = cls(path, **kwargs)
        repo.refs.set_symbolic_ref(b"HEAD", BRANCH)
        return repo

    def state_path(self, name: str) -> Path:
        """A file of the store's own state inside the repository (its folder is created)."""
        folder = self.path / STATE_DIR
        if not folder.is_dir():
            folder.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
        return folder / name

    # -- reading -------------------------------------------------------------------------------

    def head(self) -> bytes | None:
        """The current commit id of `main`, or None for a repository with no commit yet."""
        try:
            return self.refs[BRANCH]
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
        """A tree or commit of this repository, parsed once per process.

        Callers must not mutate the result.

        Raises:
            Damaged: The repository does not have the object.
        """
        return _PARSED.get_or_make((self.identity, sha), lambda: self.object(sha))

    def object(self, sha: bytes) -> Blob | Tree | Commit:
        """An object read from this repository's store (uncached).

        Loose objects are read and parsed once here (dulwich's `store[sha]` parses a loose
        object twice); packed ones through dulwich.

        Raises:
            Damaged: The repository does not have the object.
        """
        loose = self._read_loose(sha)
        if loose is not None and loose[0] in _OBJECT_TYPES:
            kind = _OBJECT_TYPES[loose[0]]
            return kind.from_raw_string(kind.type_num, loose[1], sha=sha)
        try:
            return self.objects[sha]
        except KeyError:
            raise Damaged(
                f"The wiki's repository lacks object {sha.decode()[:12]} that its history "
                "names; nothing was changed. Ask the wiki's owner to restore it from a clone."
            ) from None

    def tree_entries(self, sha: bytes) -> dict[bytes, tuple[int, bytes]]:
        """A tree's name -> (mode, id) map, cached by (repository, tree id). Do not mutate.

        Cheaper than a parsed `Tree` (no per-entry Python objects): used to diff many trees.
        """

        def make() -> dict[bytes, tuple[int, bytes]]:
            body = self._tree_body(sha)
            return {name: (mode, item) for name, mode, item in parse_tree(body, sha_len=20)}

        return ENTRIES.get_or_make((self.identity, sha), make)

    def _read_loose(self, sha: bytes) -> tuple[bytes, bytes] | None:
        """(type, body) of a loose object, or None if it is not loose (packed, or missing)."""
        try:
            with open(self._loose_path(sha), "rb") as f:
                raw = zlib.decompress(f.read())
        except (OSError, ValueError, zlib.error):
            return None  # packed, missing or unreadable: dulwich reads or reports it
        header, _, body = raw.partition(b"\0")
        return header.split(b" ", 1)[0], body

    def _loose_path(self, sha: bytes) -> str:
        text = sha.decode("ascii")
        if len(text) != 40 or not all(c in "0123456789abcdef" for c in text):
            raise ValueError(f"not an object id: {text!r}")
        return os.path.join(self._objects_dir, text[:2], text[2:])

    def commit(self, sha: bytes) -> Commit:
        """The commit object with this id."""
        return self.parsed(sha)

    def tree_of(self, commit_id: bytes) -> bytes:
        """The root tree id of a commit."""
        return self.commit(commit_id).tree

    def entry(self, tree: bytes, path: str) -> tuple[int, bytes] | None:
        """(mode, sha) at `path` under a root tree, or None when nothing is there."""
        found: tuple[int, bytes] | None = (0o040000, tree)
        for part in path.strip("/").encode().split(b"/"):
            if found is None or found[0] & 0o170000 != 0o040000:
                return None
            found = self.tree_entries(found[1]).get(part)
        return found

    def blob_id(self, tree: bytes, path: str) -> bytes | None:
        """The blob id of a file under a root tree, or None if it is missing or a folder."""
        found = self.entry(tree, path)
        if found is None or found[0] & 0o170000 != 0o100000:
            return None
        return found[1]

    def read(self, tree: bytes, path: str) -> bytes | None:
        """The bytes of a file under a root tree, or None."""
        sha = self.blob_id(tree, path)
        return None if sha is None else self.object(sha).data

    def walk_files(self, tree: bytes, prefix: str = "") -> Iterator[tuple[str, bytes]]:
        """Yield (path, blob id) for every file under a tree, depth first, in name order."""
        for name, (mode, sha) in sorted(self.tree_entries(tree).items()):
            path = prefix + name.decode("utf-8", "replace")
            if mode & 0o170000 == 0o040000:
                yield from self.walk_files(sha, path + "/")
            elif mode & 0o170000 == 0o100000:
                yield path, sha

    def log(
        self,
        *,
        paths: list[str] | None = None,
        limit: int | None = None,
        start: bytes | None = None,
    ) -> Iterator[Commit]:
        """Commits reachable from `start` (head), newest first, optionally only those on paths.

        This walks the whole history for paths; prefer the per-head index (`RepoFiles.log`).
        """
        start = start or self.head()
        if start is None:
            return iter(())
        walker = Walker(
            self.objects,
            include=[start],
            paths=[p.encode() for p in paths] if paths else None,
            max_entries=limit,
        )
        return (entry.commit for entry in walker)

    def walk(self, start: bytes, limit: int | None = None) -> Iterator[Commit]:
        """Commits reachable from `start`, newest first (by commit time), parsed once."""
        seen = {start}
        queue = [(-self.commit(start).commit_time, 0, start)]
        count = 0
        while queue and (limit is None or count < limit):
            _, _, sha = heapq.heappop(queue)
            commit = self.commit(sha)
            yield commit
            count += 1
            for parent in commit.parents:
                if parent not in seen:
                    seen.add(parent)
                    heapq.heappush(queue, (-self.commit(parent).commit_time, count, parent))

    # -- writing -------------------------------------------------------------------------------

    @tracing.traced("git.commit")
    def commit_changes(
        self,
        plan: Callable[[bytes | None, bytes | None], list[Change]],
        author: Author,
        message: str,
        *,
        skip_if_unchanged: bool = False,
    ) -> bytes:
        """Commit the changes `plan(head, tree)` returns, moving `main` with compare-and-set.

        `plan` is called again on every retry with the new head and tree, so it must re-check its
        preconditions (for example that the page is still at the revision the caller read) and
        raise to abort. Returns the new commit id; with `skip_if_unchanged`, a plan that leaves
        the tree as it is makes no commit and None is returned.
        """
        message = rules.check_message(message)
        if not message:
            raise InvalidInput("The commit message is empty; say what changed.")
        for attempt in range(self.max_attempts):
            try:
                with self.writing():
                    head = self.head()
                    tree = self.tree_of(head) if head else None
                    changes = plan(head, tree)
                    changed: dict[str, bytes | None] = {}
                    new_commit = self._build_commit(
                        head, tree, changes, author, message, skip_if_unchanged, changed
                    )
                    if new_commit is None:
                        return None  # type: ignore[return-value]  # only with skip_if_unchanged
                    moved = self._move_branch(head, new_commit)
                if moved:
                    tracing.annotate(cas_retries=attempt)  # compare-and-set races lost first
                    self._record(head, new_commit, changed)
                    return new_commit
            except _LockMet as met:
                self.recover_locks(met.lockfile)
            # Lost the race: someone else committed; rebuild on their head after a short pause.
            time.sleep(random.uniform(0, min(0.05, 0.002 * 2 ** min(attempt, 5))))
        raise Busy("The wiki is busy with other writes; retry in a moment.")

    def _record(self, parent: bytes | None, new: bytes, changed: dict[str, bytes | None]) -> None:
        """Tell the per-head index what this commit changed (it must never fail the write)."""
        from wikibot.store import headindex  # the index builds on this module

        try:
            headindex.record_commit(self, parent, new, changed)
        except Exception:  # noqa: BLE001 - the index is rebuilt from git when it is missing
            logging.getLogger(__name__).exception("could not record commit in the index")

    def writing(self) -> contextlib.AbstractContextManager[None]:
        """Hold the shared writers' lock while writing objects or moving refs.

        Anything else that writes this repository (git push) should write inside it, so that a
        lock it holds is never taken for a dead writer's (see `wikibot.store.locks`).
        """
        return self.locks.writing()

    def recover_locks(self, lockfile: str | None = None) -> None:
        """Remove `lockfile` and leftover object locks if a dead writer left them."""
        self.locks.recover(lockfile)

    def _build_commit(
        self,
        head: bytes | None,
        tree: bytes | None,
        changes: list[Change],
        author: Author,
        message: str,
        skip_if_unchanged: bool = False,
        changed: dict[str, bytes | None] | None = None,
    ) -> bytes | None:
        tree_changes: list[TreeChange] = []
        changed = {} if changed is None else changed
        for path, data in changes:
            existing = self.entry(tree, path) if tree is not None else None
            if data is None:
                if existing is not None:
                    tree_changes.append((path.encode(), None, None))
                    changed[path] = None
                continue
            blob = self._store(b"blob", data)
            tree_changes.append((path.encode(), FILE_MODE, blob))
            if existing is None or existing[1] != blob:
                changed[path] = data
        new_tree = TreeWriter(self.identity, self._tree_body, self._store).write(tree, tree_changes)
        if skip_if_unchanged and head is not None and new_tree == tree:
            return None
        now = int(time.time())
        commit = Commit()
        commit.tree = new_tree
        commit.parents = [head] if head else []
        commit.author = commit.committer = author.signature
        commit.author_time = commit.commit_time = now
        commit.author_timezone = commit.commit_timezone = 0
        commit.encoding = b"UTF-8"
        commit.message = message.encode() + (b"" if message.endswith("\n") else b"\n")
        return self._store(b"commit", commit.as_raw_string())

    def _tree_body(self, sha: bytes) -> bytes:
        loose = self._read_loose(sha)
        if loose is not None and loose[0] == b"tree":
            return loose[1]
        tree = self.object(sha)  # packed, or Damaged
        if not isinstance(tree, Tree):
            raise Damaged(f"Object {sha.decode()[:12]} is not a tree.")
        return tree.as_raw_string()

    def _store(self, kind: bytes, body: bytes) -> bytes:
        """Store a loose object atomically, without a `.lock` file; its hex id.

        Written to `objects/xx/tmp_obj_*` and renamed into place: a writer killed mid-write
        leaves only a `tmp_obj_` file, which git fsck ignores and git prune removes, and two
        writers of the same object never wait for each other (the bytes are identical).
        Compressed at zlib level 1, git's default for loose objects (`core.looseCompression`).
        """
        raw = b"%s %d\0%s" % (kind, len(body), body)
        sha = hashlib.sha1(raw).hexdigest().encode()  # noqa: S324 - git's object id
        folder = os.path.join(self._objects_dir, sha[:2].decode())
        path = os.path.join(folder, sha[2:].decode())
        try:
            os.utime(path)  # already there; freshen it as git does, so prune keeps it
            return sha
        except FileNotFoundError:
            pass
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder)
        tmp = os.path.join(folder, f"tmp_obj_{secrets.token_hex(8)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(zlib.compress(raw, 1))
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return sha

    def _move_branch(self, head: bytes | None, new_commit: bytes) -> bool:
        try:
            return self.refs.set_if_equals(BRANCH, head or ZERO, new_commit)
        except FileLocked as locked:
            raise _LockMet(locked.lockfilename) from None
