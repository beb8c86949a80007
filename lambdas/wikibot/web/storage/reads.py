"""Reading a wiki at the head pinned for the request: paths, files, folders, listings.

Staged changes (`_pending`, a rename in progress) overlay the head: reads see them.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from wikibot.web.errors import StorageErrorEncoding, StorageNotFound, StorageUnsafePath
from wikibot.web.storage.caches import BLOBS, LISTS, TREE, WALKS


class Reads:
    """`GitStorage`'s reading methods (mixed into `WikiStorage`, which holds the state)."""

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
        return BLOBS.get_or_make(blob, lambda: self.repo.objects[blob].data)

    def size(self, filename: str) -> int:
        """Bytes of a file at head."""
        blob = self._blob(self.canonical_filename(filename))
        if blob is None:
            raise FileNotFoundError(filename)
        return self.repo.objects[blob].raw_length()

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
            files, dirs = LISTS.get_or_make(key, lambda: self._list(root, found, depth, exclude))
            return list(files), list(dirs)  # copies: callers may change them
        return self._list(root, found, depth, exclude)

    def _list(self, root: str, found, depth, exclude) -> tuple[list[str], list[str]]:
        prefix = root + "/" if root else ""
        files: set[str] = set()
        if found is not None and found[0] & 0o170000 == TREE:
            walked = WALKS.get_or_make(found[1], lambda: tuple(self._walk(found[1])))
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

    def _files_under(self, path: str) -> list[str]:
        found = self._entry(path)
        if found is None:
            return []
        if found[0] & 0o170000 != TREE:
            return [path]
        return [p for p, mode in self._walk(found[1], path + "/") if mode != TREE]
