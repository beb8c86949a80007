"""Otterwiki's sidebar page tree, persisted per head tree so a cold start does not rebuild it.

The tree (`SidebarPageIndex`: every page's path and first heading, filtered and sorted) is a
function of the head tree, the page's folder and the sidebar settings; `wikibot.web.hooks`
builds the key from them. Building it for 1,000 pages costs a cold page view ~50 ms; reading it
back from `ui-sidebar.json` (next to the wiki's `repo.git`) costs a few. Entries of another
head tree are dropped when the head moves, so the file stays one tree's size. Written atomically
after a request that built a tree; a lost race costs the next cold start a rebuild, never a
wrong tree (the key names the content).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wikibot.files import write_private

MAX_KEYS = 32  # folders x modes of one head tree
_FIELDS = ("path", "path_depth", "max_depth", "mode", "focus")


class SidebarTrees:
    """Persisted `SidebarPageIndex` states of one wiki, by key (head tree + folder + settings)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._tree_id: str | None = None
        self._states: dict[str, Any] | None = None
        self._dirty = False

    def _load(self, tree_id: str) -> dict[str, Any]:
        if self._states is None:
            try:
                saved = json.loads(self.path.read_text())
                self._tree_id, self._states = saved["tree"], saved["states"]
            except (OSError, ValueError, KeyError, TypeError):
                self._tree_id, self._states = None, {}
        if self._tree_id != tree_id:  # the head moved: older trees are never asked for again
            self._tree_id, self._states = tree_id, {}
        return self._states

    def get(self, tree_id: str, key: str) -> dict | None:
        """The saved attributes of a `SidebarPageIndex` (None when not saved)."""
        saved = self._load(tree_id).get(key)
        return None if saved is None else decode(saved)

    def put(self, tree_id: str, key: str, state: dict) -> None:
        """Remember a built `SidebarPageIndex`'s attributes (written by `flush`)."""
        if set(state) - {*_FIELDS, "filenames_and_header", "tree"}:
            return  # an Otterwiki that keeps more state than this module knows: not persisted
        states = self._load(tree_id)
        if len(states) >= MAX_KEYS:
            states.clear()
        states[key] = encode(state)
        self._dirty = True

    def flush(self) -> None:
        """Write the file if a tree was built (atomic replace)."""
        if self._dirty and self._states is not None:
            data = {"tree": self._tree_id, "states": self._states}
            try:
                write_private(self.path, json.dumps(data, separators=(",", ":")).encode())
            except OSError:
                pass  # a read-only data folder only costs the next cold start a rebuild
            self._dirty = False


def encode(state: dict) -> dict:
    """JSON-ready form of a `SidebarPageIndex.__dict__`."""
    out = {name: state.get(name) for name in _FIELDS}
    out["filenames_and_header"] = [list(item) for item in state.get("filenames_and_header", [])]
    out["tree"] = _encode_tree(state.get("tree", {}))
    return out


def decode(saved: dict) -> dict:
    """The `SidebarPageIndex.__dict__` that `encode` was given."""
    state = {name: saved.get(name) for name in _FIELDS}
    state["filenames_and_header"] = [tuple(item) for item in saved["filenames_and_header"]]
    state["tree"] = _decode_tree(saved["tree"])
    return state


def _encode_tree(tree: dict) -> list:
    return [
        [key, e.path, e.header, e.is_directory_symlink, _encode_tree(e.children)]
        for key, e in tree.items()
    ]


def _decode_tree(items: list) -> Any:
    from collections import OrderedDict

    from otterwiki.sidebar import SidebarPageIndexEntry

    tree: OrderedDict[str, Any] = OrderedDict()
    for key, path, header, symlink, children in items:
        entry = SidebarPageIndexEntry(path=path, header=header)
        entry.is_directory_symlink = symlink
        entry.children = _decode_tree(children)
        tree[key] = entry
    return tree
