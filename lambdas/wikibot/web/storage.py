"""Otterwiki's `GitStorage` interface over a wiki's bare repository (dulwich; no git, no work tree).

Otterwiki calls `storage.exists/load/metadata/log/list/store/...` (gitstorage.py of 2.26.1); this
class answers them from the object store at the head pinned for the request, and writes with the
store's compare-and-set commits. Staged operations (Otterwiki's rename: `rename(no_commit=True)`,
`update()` per rewritten backlink, one `commit()`, `restore()` on error) collect in `_pending`, an
overlay that reads see, flushed as one commit.

`path` is a scratch folder, never a work tree: Otterwiki saves uploads there before calling
`commit()`, which moves them into the repository and deletes them.
"""

from __future__ import annotations

import bisect
import os
import posixpath
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from dulwich.objects import Commit

from wikibot.errors import Conflict
from wikibot.store.cache import LRU
from wikibot.store.paths import RepoFiles
from wikibot.store.repo import Author, Change, GitRepo
from wikibot.web import gitdiff
from wikibot.web.errors import (
    StorageError,
    StorageErrorEncoding,
    StorageNotFound,
    StorageUnsafePath,
)

TREE, FILE = 0o040000, 0o100000
_ABSENT = b"-"


class _Memo:
    """A bounded dict (oldest entries dropped first) for facts about immutable commits."""

    def __init__(self, size: int):
        self.size = size
        self._items: dict[bytes, bytes] = {}

    def get(self, key: bytes) -> bytes | None:
        return self._items.get(key)

    def put(self, key: bytes, value: bytes) -> None:
        if len(self._items) >= self.size:
            for old in list(self._items)[: self.size // 4]:
                del self._items[old]
        self._items[key] = value


# commit id + path -> the newest commit at or before it that changed the path (or _ABSENT).
_LAST_CHANGE = _Memo(200_000)
# blob id -> bytes (the sidebar reads the head of every page on every view).
_BLOBS: LRU[bytes] = LRU(64 * 1024 * 1024, cost=len)
# tree id -> every (path, mode) under it (listings on every view).
_WALKS: LRU[tuple[tuple[str, int], ...]] = LRU(512)
# (tree id, folder, depth, excludes) -> Otterwiki's (files, folders) listing.
_LISTS: LRU[tuple[list[str], list[str]]] = LRU(512)
# commit id -> files it changed against its first parent.
_CHANGED: LRU[tuple[str, ...]] = LRU(20_000)


def _author(author: tuple[str, str] | None) -> Author:
    name, email = author or ("", "")
    return Author(name or "Anonymous", email or "anonymous@users.wikibot", "web")


def _message(message: str | None, default: str) -> str:
    text = (message or "").strip() or default
    return text if text.startswith("[web]") else f"[web] {text}"


class WikiStorage:
    """One wiki's repository, shaped like `otterwiki.gitstorage.GitStorage`.

    Args:
        repo: The wiki's bare repository.
        scratch: A private folder where Otterwiki may drop uploaded files before `commit()`.
        on_change: Called with the changed paths after every commit (Otterwiki's plugin hook).
    """

    def __init__(self, repo: GitRepo, scratch: Path, on_change=None, limits=None):
        self.repo = repo
        self.files = RepoFiles(repo, limits)  # the store's path layer: write rules, head index
        self._rows: tuple[str, dict[str, int]] | None = None
        self._files_by_row: tuple[str, dict[int, list[str]]] | None = None
        self.path = str(scratch)
        self.allow_external_symlinks = False
        self.on_change = on_change
        self.save_base: str | None = None  # set per request: the revision the editor opened
        self.headings = None  # wikibot.web.headings.Headings of this wiki, when persisted
        self.sidebar = None  # wikibot.web.sidebar_cache.SidebarTrees of this wiki, when persisted
        self._pending: dict[str, bytes | None] = {}
        self._head: bytes | None = None
        self.refresh()

    # -- per request ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Pin the current head (one consistent view per request) and drop staged changes."""
        self._head = self.repo.head()
        self._pending = {}
        self.save_base = None

    @property
    def head(self) -> bytes | None:
        """The commit this request reads."""
        return self._head

    def _tree(self, commit: bytes | None = None) -> bytes | None:
        commit = commit or self._head
        return self.repo.tree_of(commit) if commit else None

    def _entry(self, path: str, commit: bytes | None = None) -> tuple[int, bytes] | None:
        tree = self._tree(commit)
        if tree is None:
            return None
        if path in ("", "."):
            return (TREE, tree)
        return self.repo.entry(tree, path)

    def _blob(self, path: str, commit: bytes | None = None) -> bytes | None:
        found = self._entry(path, commit)
        return found[1] if found and found[0] & 0o170000 != TREE else None

    def resolve(self, revision: str) -> bytes:
        """A commit id from Otterwiki's revision forms: `HEAD` or 4-40 hex characters."""
        rev = str(revision or "").strip().lower()
        if rev == "head":
            if self._head is None:
                raise StorageNotFound("The wiki has no commits yet.")
            return self._head
        if not 4 <= len(rev) <= 40 or any(c not in "0123456789abcdef" for c in rev):
            raise StorageNotFound(f"Invalid revision: {revision!r}")
        found = [
            sha
            for sha in self.repo.objects.iter_prefix(rev.encode())
            if self.repo.objects[sha].type_name == b"commit"
        ]
        if len(found) != 1:
            raise StorageNotFound(f"No unique commit for revision {revision!r}")
        return found[0]

    # -- paths ---------------------------------------------------------------------------------

    def canonical_filename(self, filename: str) -> str:
        """The normalised repository path; anything escaping the root is unsafe."""
        clean = posixpath.normpath(str(filename).replace("\\", "/")).lstrip("/")
        if clean.startswith("..") or clean.split("/")[0] == ".git":
            raise StorageUnsafePath(f"{filename} resolves to a path outside the repository.")
        return "" if clean == "." else clean

    def _pending_under(self, folder: str) -> Iterator[tuple[str, bytes | None]]:
        prefix = folder.rstrip("/") + "/" if folder else ""
        for path, data in self._pending.items():
            if path.startswith(prefix):
                yield path, data

    def exists(self, filename: str) -> bool:
        """Whether a file or folder is at head (staged changes included)."""
        try:
            path = self.canonical_filename(filename)
        except StorageUnsafePath:
            return False
        if path in self._pending:
            return self._pending[path] is not None
        if any(d is not None for _, d in self._pending_under(path)):
            return True
        found = self._entry(path)
        if found is None:
            return False
        if found[0] & 0o170000 == TREE and self._pending:
            return any(p not in self._pending for p, _ in self._walk(found[1], path + "/"))
        return True

    def isdir(self, dirname: str) -> bool:
        """Whether a folder is at head."""
        path = self.canonical_filename(dirname)
        found = self._entry(path)
        return (found is not None and found[0] & 0o170000 == TREE) or any(
            d is not None for _, d in self._pending_under(path)
        )

    def isemptydir(self, dirname: str) -> bool:
        """Git has no empty folders."""
        return not self.isdir(dirname)

    def islink(self, filename: str) -> bool:
        """Whether the path is a symlink (pushed over git; wikibot itself writes none)."""
        found = self._entry(self.canonical_filename(filename))
        return found is not None and found[0] & 0o170000 == 0o120000

    # -- reading -------------------------------------------------------------------------------

    def load(self, filename: str, mode: str = "r", revision: str | None = None, size: int = -1):
        """File content at head (or a revision): `str`, or `bytes` for mode `rb`."""
        path = self.canonical_filename(filename)
        if revision is None and path in self._pending:
            data = self._pending[path]
        else:
            blob = self._blob(path, self.resolve(revision) if revision is not None else None)
            data = None if blob is None else self._data(blob)
        if data is None:
            raise StorageNotFound(f"{filename} not found.")
        if "b" in mode:
            return data if size < 0 else data[:size]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise StorageErrorEncoding(f"{filename} could not be decoded as text.") from exc
        return text if size < 0 else text[:size]

    def tree_id(self) -> bytes | None:
        """The root tree of this request's head (names the whole content)."""
        return self._tree()

    def has_pending(self) -> bool:
        """Whether staged changes (a rename in progress) overlay the head."""
        return bool(self._pending)

    def blob_id(self, filename: str) -> bytes | None:
        """The blob id of a file at this request's head (None if staged, missing or a folder)."""
        try:
            path = self.canonical_filename(filename)
        except StorageUnsafePath:
            return None
        return None if path in self._pending else self._blob(path)

    def _data(self, blob: bytes) -> bytes:
        return _BLOBS.get_or_make(blob, lambda: self.repo.objects[blob].data)

    def size(self, filename: str) -> int:
        """Bytes of a file at head."""
        blob = self._blob(self.canonical_filename(filename))
        if blob is None:
            raise FileNotFoundError(filename)
        return self.repo.objects[blob].raw_length()

    def last_change(self, path: str, commit: bytes | None = None) -> bytes | None:
        """The newest commit at or before `commit` (default head) that changed `path`.

        From the store's per-head index (persisted beside the repository), so a cold process
        answers without walking history; commits outside the index fall back to a walk.
        """
        commit = commit or self._head
        if commit is None:
            return None
        snap = self.files.index_at(self._head)
        rows = self._row_of(snap)
        row = rows.get(commit.decode())
        if row is not None:
            touched = snap.touched.get(path, ())
            at = bisect.bisect_right(touched, row)
            return snap.commits[touched[at - 1]].encode() if at else None
        return self._walk_last_change(path, commit)

    def _row_of(self, snap) -> dict[str, int]:
        if self._rows is None or self._rows[0] != snap.head:
            self._rows = (snap.head, {c: i for i, c in enumerate(snap.commits)})
        return self._rows[1]

    def _touched_by_row(self) -> dict[int, list[str]]:
        """Index row -> paths that commit touched (the wiki's changelog without tree diffs)."""
        if self._head is None:
            return {}
        snap = self.files.index_at(self._head)
        if self._files_by_row is None or self._files_by_row[0] != snap.head:
            by_row: dict[int, list[str]] = {}
            for path, rows in snap.touched.items():
                for row in rows:
                    by_row.setdefault(row, []).append(path)
            self._files_by_row = (snap.head, {r: sorted(p) for r, p in by_row.items()})
        return self._files_by_row[1]

    def _walk_last_change(self, path: str, commit: bytes) -> bytes | None:
        """First-parent walk comparing blob ids, memoised per (commit, path)."""
        key = path.encode()
        chain: list[bytes] = []
        current, blob = commit, self._blob(path, commit)
        while True:
            cached = _LAST_CHANGE.get(current + key)
            if cached is not None:
                result = cached
                break
            parents = self.repo.commit(current).parents
            parent_blob = self._blob(path, parents[0]) if parents else None
            if parent_blob != blob:
                result = current
                break
            chain.append(current)
            if not parents:
                result = _ABSENT
                break
            current = parents[0]
        for sha in chain:
            _LAST_CHANGE.put(sha + key, result)
        return None if result == _ABSENT else result

    def mtime(self, filename: str) -> datetime:
        """When a file last changed (naive local time, as GitStorage returns it)."""
        path = self.canonical_filename(filename)
        if self._blob(path) is None:
            raise FileNotFoundError(filename)
        sha = self.last_change(path)
        return datetime.fromtimestamp(self.repo.commit(sha).author_time)

    def changed_files(self, commit: Commit) -> tuple[str, ...]:
        """Files a commit changed against its first parent (cached: commits never change)."""

        def compute() -> tuple[str, ...]:
            if self._head is not None:  # the store's index knows what each commit touched
                row = self._row_of(self.files.index_at(self._head)).get(commit.id.decode())
                if row is not None:
                    return tuple(self._touched_by_row().get(row, ()))
            parent = self.repo.tree_of(commit.parents[0]) if commit.parents else None
            return tuple(sorted(gitdiff.changed_paths(self.repo, parent, commit.tree)))

        return _CHANGED.get_or_make(commit.id, compute)

    def _meta(self, commit: Commit, files: Iterable[str] | None = None, as_list=False) -> dict:
        raw = commit.author.decode("utf-8", "replace")
        name, _, email = raw.partition(" <")
        files = list(files) if files is not None else list(self.changed_files(commit))
        sha = commit.id.decode()
        return {
            "revision-full": sha,
            "revision": sha[:6],
            "datetime": datetime.fromtimestamp(commit.author_time, UTC),
            "author_name": name.strip(),
            "author_email": email.rstrip(">"),
            "message": commit.message.decode("utf-8", "replace").strip(),
            "files": files if as_list else {f: {} for f in files},
        }

    def metadata(self, filename: str, revision: str | None = None) -> dict:
        """The commit that last changed a file, at head or at/before a revision."""
        path = self.canonical_filename(filename)
        start = self.resolve(revision) if revision is not None else None
        sha = self.last_change(path, start)
        if sha is None or (start is None and self._blob(path) is None):
            raise StorageNotFound(f"{filename} has no history.")
        return self._meta(self.repo.commit(sha))

    def _first_parent(self, start: bytes | None) -> Iterator[Commit]:
        sha = start
        while sha:
            commit = self.repo.commit(sha)
            yield commit
            sha = commit.parents[0] if commit.parents else None

    def log(self, filename: str | None = None, fail_on_git_error=False, max_count=None) -> list:
        """Commits newest first (of one file, or of the wiki), as GitStorage's dicts."""
        entries = []
        if filename is None:
            touched = self._touched_by_row()
            rows = self._row_of(self.files.index_at(self._head)) if self._head else {}
            for commit in self._first_parent(self._head):
                row = rows.get(commit.id.decode())
                files = touched.get(row, []) if row is not None else None
                entries.append(self._meta(commit, files=files, as_list=True))
                if max_count and len(entries) >= max_count:
                    break
            return entries
        path = self.canonical_filename(filename)
        sha = self.last_change(path)
        while sha:
            commit = self.repo.commit(sha)
            entries.append(self._meta(commit, as_list=True))
            if (max_count and len(entries) >= max_count) or not commit.parents:
                break
            sha = self.last_change(path, commit.parents[0])
        if not entries:
            raise StorageNotFound(f"{filename} has no history.")
        return entries

    def get_parent_revision(self, filename: str, revision: str) -> str:
        """The revision of the file's change before `revision`."""
        log = self.log(filename)
        for i, entry in enumerate(log):
            if entry["revision"] == revision and i + 1 < len(log):
                return log[i + 1]["revision"]
        raise StorageNotFound

    def get_filename_at_revision(self, current_filename: str, revision: str) -> str:
        """Renames are not followed; the file keeps its name."""
        return current_filename

    def blame(self, filename: str, revision: str | None = None) -> list[tuple]:
        """Per line: (revision, author, datetime, line number, line, message)."""
        path = self.canonical_filename(filename)
        start = self.resolve(revision or "HEAD")
        history, sha = [], self.last_change(path, start)
        while sha:
            commit = self.repo.commit(sha)
            blob = self._blob(path, sha)
            if blob is None:
                break
            history.append((commit, self.repo.objects[blob].data.decode("utf-8", "replace")))
            sha = self.last_change(path, commit.parents[0]) if commit.parents else None
        if not history:
            raise StorageNotFound(f"{filename} not found.")
        owners = gitdiff.blame_lines([text for _, text in history])
        metas = [self._meta(c, files=()) for c, _ in history]
        lines = history[0][1].splitlines()
        return [
            (
                metas[o]["revision"],
                metas[o]["author_name"],
                metas[o]["datetime"],
                n + 1,
                line,
                metas[o]["message"],
            )
            for n, (line, o) in enumerate(zip(lines, owners, strict=False))
        ]

    def diff(self, rev_a: str, rev_b: str) -> str:
        """A git-style patch between two revisions (what unidiff parses)."""
        a, b = self.resolve(rev_a), self.resolve(rev_b)
        return gitdiff.patch(self.repo, self.repo.tree_of(a), self.repo.tree_of(b))

    def show_commit(self, revision: str) -> tuple[dict, str]:
        """A commit's metadata and its patch against the first parent."""
        commit = self.repo.commit(self.resolve(revision))
        parent = self.repo.tree_of(commit.parents[0]) if commit.parents else None
        return self._meta(commit), gitdiff.patch(self.repo, parent, commit.tree)

    def _walk(self, tree: bytes, prefix: str = "") -> Iterator[tuple[str, int]]:
        for item in self.repo.parsed(tree).iteritems():
            path = prefix + item.path.decode("utf-8", "replace")
            if item.mode & 0o170000 == TREE:
                yield path + "/", TREE
                yield from self._walk(item.sha, path + "/")
            else:
                yield path, item.mode

    def list(self, p: str | None = None, depth: int | None = None, exclude=()):
        """Sorted (files, folders) under `p`, relative to it, optionally only `depth` deep."""
        root = self.canonical_filename(p) if p else ""
        found = self._entry(root)
        if found is not None and not self._pending:
            key = f"{found[1].decode()}\0{root}\0{depth}\0{sorted(exclude)}".encode()
            files, dirs = _LISTS.get_or_make(key, lambda: self._list(root, found, depth, exclude))
            return list(files), list(dirs)  # copies: callers may change them
        return self._list(root, found, depth, exclude)

    def _list(self, root: str, found, depth, exclude) -> tuple[list[str], list[str]]:
        prefix = root + "/" if root else ""
        files: set[str] = set()
        if found is not None and found[0] & 0o170000 == TREE:
            walked = _WALKS.get_or_make(found[1], lambda: tuple(self._walk(found[1])))
            files = {prefix + path for path, mode in walked if mode != TREE}
        for path, data in self._pending_under(root):
            (files.add if data is not None else files.discard)(path)
        result_files, result_dirs = set(), set()
        for path in files:
            rel = path[len(prefix) :]
            parts = rel.split("/")
            if any(part in exclude or part == ".git" for part in parts[:-1]):
                continue
            if depth is None or len(parts) - 1 <= depth:
                result_files.add(rel)
            for i in range(1, len(parts)):
                if depth is None or i - 1 <= depth:
                    result_dirs.add("/".join(parts[:i]))
        return sorted(result_files), sorted(result_dirs)

    # -- writing -------------------------------------------------------------------------------

    def _commit(self, changes: dict[str, bytes | None], message: str, author) -> bytes:
        base = self.save_base

        def plan(head: bytes | None, tree: bytes | None) -> list[Change]:
            if base is not None:
                self._check_base(changes, base, head)
            return list(changes.items())

        new = self.files.commit_plan(plan, _author(author), message).encode()
        self._head = new
        if self.on_change:
            self.on_change(sorted(changes))
        return new

    def _check_base(self, changes: dict, base: str, head: bytes | None) -> None:
        """Refuse a save when the page changed after the editor opened (`base`)."""
        for path in changes:
            at_head = self._blob(path, head) if head else None
            at_base = None if base == "new" else self._blob(path, self.resolve(base))
            if at_head != at_base:
                raise Conflict(
                    f"{path} was changed by someone else after you opened the editor.",
                    current=head.decode() if head else "",
                )

    def store(self, filename, content, message="", author=("", ""), mode="w") -> bool:
        """Write one file and commit it; False when the content is unchanged."""
        path = self.canonical_filename(filename)
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        if self._blob(path) is not None and self.load(path, "rb") == data:
            return False
        action = "update" if self._blob(path) is not None else "create"
        self._commit({path: data}, _message(message, f"{action}: {path}"), author)
        return True

    def update(self, filename, content, mode="w") -> bool:
        """Stage a file for the next `commit()`; False when unchanged."""
        path = self.canonical_filename(filename)
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        if self.exists(path) and self.load(path, "rb") == data:
            return False
        self._pending[path] = data
        return True

    def _take_scratch(self, paths: Iterable[str]) -> None:
        """Move files Otterwiki saved into the scratch folder (uploads) into the staged set."""
        for path in paths:
            disk = Path(self.path) / self.canonical_filename(path)
            if disk.is_file():
                data = disk.read_bytes()
                disk.unlink()
                self._pending[self.canonical_filename(path)] = data

    def commit(self, filenames, message="", author=("", ""), no_add=False) -> None:
        """Commit the staged changes (and uploads waiting in the scratch folder) as one commit."""
        names = filenames if isinstance(filenames, list) else [filenames]
        self._take_scratch(names)
        if not self._pending:
            return
        changes, self._pending = self._pending, {}
        self._commit(changes, _message(message, "update"), author)

    def restore(self, paths, revision="HEAD") -> None:
        """Forget staged changes below `paths` (the rollback of a failed rename)."""
        for path in paths:
            if not path:
                continue
            for staged, _ in list(self._pending_under(path)):
                self._pending.pop(staged, None)
            self._pending.pop(path, None)

    def _files_under(self, path: str) -> list[str]:
        found = self._entry(path)
        if found is None:
            return []
        if found[0] & 0o170000 != TREE:
            return [path]
        return [p for p, mode in self._walk(found[1], path + "/") if mode != TREE]

    def rename(
        self,
        old_filename,
        new_filename,
        message=None,
        author=None,
        no_commit=False,
        files_updated=None,
        preserve_symlink_target=False,
    ) -> None:
        """Move a file or folder; staged with `no_commit`, else committed with `files_updated`."""
        old, new = self.canonical_filename(old_filename), self.canonical_filename(new_filename)
        if self.exists(new):
            raise StorageError(
                f'The filename "{new_filename}" already exist. Please choose a new filename.'
            )
        moved = self._files_under(old)
        if not moved:
            raise StorageError(f"Renaming {old_filename} to {new_filename} failed: not found.")
        for path in moved:
            data = self.load(path, "rb")
            self._pending[path] = None
            self._pending[new + path[len(old) :]] = data
        if not no_commit:
            self.commit(files_updated or [], message or f"rename: {old} -> {new}", author)

    def delete(self, filename, message=None, author=("", "")) -> None:
        """Delete files or folders in one commit."""
        names = filename if isinstance(filename, list) else [filename]
        changes: dict[str, bytes | None] = {}
        for name in names:
            for path in self._files_under(self.canonical_filename(name)):
                changes[path] = None
        if changes:
            self._commit(changes, _message(message, f"delete: {', '.join(names)}"), author)

    def revert(self, revision, message="", author=("", "")) -> None:
        """Undo one commit's changes, if the files are still as that commit left them."""
        commit = self.repo.commit(self.resolve(revision))
        parent = commit.parents[0] if commit.parents else None
        changes: dict[str, bytes | None] = {}
        for path in self.changed_files(commit):
            if self._blob(path) != self._blob(path, commit.id):
                raise StorageError("Revert failed.")
            before = self._blob(path, parent) if parent else None
            changes[path] = None if before is None else self.repo.objects[before].data
        self._commit(changes, _message(message, f"revert {commit.id.decode()[:7]}"), author)

    def count_objects(self) -> str:
        """Not available without git; answered for the housekeeping page."""
        return "Object counts are not available in wikibot."

    def gc(self) -> str:
        """Housekeeping happens outside the web UI."""
        return ""


def open_storage(repo_path: Path, scratch: Path, on_change=None, limits=None) -> WikiStorage:
    """The storage of one wiki (`NotFound` when it has no repository)."""
    repo = GitRepo(repo_path)
    os.makedirs(scratch, exist_ok=True)
    return WikiStorage(repo, scratch, on_change, limits)
