"""New trees for a commit, built from raw tree rows: change a few entries, join the rest.

dulwich's `commit_tree_changes` parses every tree on a changed path into Python objects,
re-sorts and re-serialises all their entries and compresses them entry by entry: with a
1,000-page folder that was most of a warm write (docs/benchmarks.md, issue 7). Here a tree is
its raw rows (`<mode> <name>`, NUL, the 20-byte id) in git's order, cached by (repository, tree id);
a change bisects one row in or out, and the new tree is the rows joined. Trees written here go
into the cache, so the next write on a warm process reads nothing from disk.
"""

from __future__ import annotations

import binascii
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from wikibot.store.cache import LRU

DIR_MODE = 0o040000
_DIR_MODES = frozenset({b"40000", b"040000"})

# (path, mode, hex id) writes a file; (path, None, None) deletes it. Paths are bytes, "/"-split.
TreeChange = tuple[bytes, int | None, bytes | None]
# A folder's pending changes: name -> (mode, id) for a file, None to delete, or a sub-folder.
_Node = dict[bytes, "tuple[int, bytes] | None | _Node"]


@dataclass(frozen=True)
class Rows:
    """A tree's entries in git's order: sort keys (a folder's name ends in "/") and raw rows."""

    keys: tuple[bytes, ...]
    rows: tuple[bytes, ...]

    @classmethod
    def parse(cls, body: bytes) -> Rows:
        """Split a tree object's body into its rows (git already stores them sorted)."""
        keys, rows = [], []
        pos, end = 0, len(body)
        while pos < end:
            space = body.index(b" ", pos)
            nul = body.index(b"\0", space)
            name = body[space + 1 : nul]
            keys.append(name + b"/" if body[pos:space] in _DIR_MODES else name)
            rows.append(body[pos : nul + 21])
            pos = nul + 21
        return cls(tuple(keys), tuple(rows))

    @property
    def size(self) -> int:
        """Bytes of the serialised tree (the cache's cost)."""
        return sum(map(len, self.rows))


# Parsed rows of every wiki's trees in this process, by (repository, tree id); ~16 MB at most.
_ROWS: LRU[Rows] = LRU(16 * 1024 * 1024, cost=lambda rows: rows.size + 64)
# Tree entry maps (name -> (mode, hex id)) for lookups and diffs, by (repository, tree id).
ENTRIES: LRU[dict[bytes, tuple[int, bytes]]] = LRU(1024)


def nest(changes: list[TreeChange]) -> _Node:
    """Changes as a folder tree. A path that is both a file and a folder ends up a folder."""
    root: _Node = {}
    for path, mode, sha in changes:
        *folders, name = path.split(b"/")
        node = root
        for folder in folders:
            child = node.get(folder)
            if not isinstance(child, dict):
                child = node[folder] = {}
            node = child
        if not isinstance(node.get(name), dict):
            node[name] = None if sha is None else (mode, sha)  # type: ignore[assignment]
    return root


class TreeWriter:
    """Writes the trees a set of changes needs, from the cached rows of the current ones.

    Args:
        identity: The repository's identity (the cache key's first part).
        read_body: A tree's body by id (raises if the repository lacks it).
        store: Writes an object (type, body) and returns its hex id.
    """

    def __init__(
        self,
        identity: tuple,
        read_body: Callable[[bytes], bytes],
        store: Callable[[bytes, bytes], bytes],
    ):
        self._identity = identity
        self._read_body = read_body
        self._store = store

    def rows(self, tree: bytes) -> Rows:
        """The rows of an existing tree, parsed once per process."""
        return _ROWS.get_or_make((self._identity, tree), lambda: Rows.parse(self._read_body(tree)))

    def write(self, tree: bytes | None, changes: list[TreeChange]) -> bytes:
        """The id of the root tree after `changes` (written even when empty)."""
        return self._write(tree, nest(changes), root=True)  # type: ignore[return-value]

    def _write(self, tree: bytes | None, node: _Node, *, root: bool = False) -> bytes | None:
        current = self.rows(tree) if tree is not None else Rows((), ())
        keys, rows = list(current.keys), list(current.rows)
        # The entry map of the new tree, from the old one's if it is cached (lookups that follow
        # a write then need no parse), or None.
        old = ENTRIES.peek((self._identity, tree)) if tree is not None else {}
        entries = None if old is None else dict(old)
        for name, change in node.items():
            if entries is not None:
                entries.pop(name, None)
            folder = _take(keys, rows, name + b"/")
            _take(keys, rows, name)
            if isinstance(change, dict):
                sub = self._write(folder, change)
                if sub is None:
                    continue  # git keeps no empty folders
                key, row = name + b"/", b"40000 " + name + b"\0" + binascii.unhexlify(sub)
            elif change is None:
                continue
            else:
                mode, sha = change
                key, row = name, b"%o %s\0%s" % (mode, name, binascii.unhexlify(sha))
            at = bisect_left(keys, key)
            keys.insert(at, key)
            rows.insert(at, row)
            if entries is not None:
                entries[name] = (DIR_MODE, sub) if isinstance(change, dict) else change
        if not rows and not root:
            return None
        new = Rows(tuple(keys), tuple(rows))
        sha = self._store(b"tree", b"".join(new.rows))
        _ROWS.get_or_make((self._identity, sha), lambda: new)
        if entries is not None:
            ENTRIES.get_or_make((self._identity, sha), lambda: entries)
        return sha


def _take(keys: list[bytes], rows: list[bytes], key: bytes) -> bytes | None:
    """Remove the entry with this sort key; the hex id of the folder it named, if a folder."""
    at = bisect_left(keys, key)
    if at == len(keys) or keys[at] != key:
        return None
    del keys[at]
    row = rows.pop(at)
    return binascii.hexlify(row[-20:]) if key.endswith(b"/") else None
