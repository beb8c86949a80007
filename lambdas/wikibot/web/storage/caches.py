"""Process-wide caches of facts about immutable git objects, shared by every wiki's storage.

A commit, tree or blob id names its content, so nothing cached here can go stale; the bounds only
keep a long-lived process (a warm Lambda, a `wikibot dev` worker) from growing without end.
"""

from __future__ import annotations

from wikibot.store.cache import LRU

TREE = 0o040000  # git's mode of a folder
ABSENT = b"-"  # "no commit changed this path", as a memoised answer


class Memo:
    """A bounded dict (oldest entries dropped first) for facts about immutable commits."""

    def __init__(self, size: int):
        self.size = size
        self._items: dict[bytes, bytes] = {}

    def get(self, key: bytes) -> bytes | None:
        """The remembered value, or None."""
        return self._items.get(key)

    def put(self, key: bytes, value: bytes) -> None:
        """Remember a value (dropping the oldest quarter when full)."""
        if len(self._items) >= self.size:
            for old in list(self._items)[: self.size // 4]:
                del self._items[old]
        self._items[key] = value


# commit id + path -> the newest commit at or before it that changed the path (or ABSENT).
LAST_CHANGE = Memo(200_000)
# blob id -> bytes (the sidebar reads the head of every page on every view).
BLOBS: LRU[bytes] = LRU(64 * 1024 * 1024, cost=len)
# tree id -> every (path, mode) under it (listings on every view).
WALKS: LRU[tuple[tuple[str, int], ...]] = LRU(512)
# (tree id, folder, depth, excludes) -> Otterwiki's (files, folders) listing.
LISTS: LRU[tuple[list[str], list[str]]] = LRU(512)
# commit id -> files it changed against its first parent.
CHANGED: LRU[tuple[str, ...]] = LRU(20_000)
