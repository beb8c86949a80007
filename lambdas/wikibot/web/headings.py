"""Page headings by blob id, persisted beside the wiki so a cold start skips re-reading pages.

Otterwiki's sidebar shows each page's first heading, read from the first 512 bytes of every page
on every view. A blob id names the content, so a heading keyed by it is never stale and a file
written by any process is valid for all: concurrent writers may each drop the other's new
entries, which are then recomputed, never wrong. The file is `ui-headings.json` next to the
wiki's `repo.git`, written atomically after a request that learned new headings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from wikibot.files import write_private

MAX_ENTRIES = 50_000  # beyond this, start over (old blobs of edited pages pile up)


class Headings:
    """Blob id -> first heading (or None) of one wiki."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._map: dict[str, str | None] | None = None
        self._dirty = False

    def _entries(self) -> dict[str, str | None]:
        if self._map is None:
            try:
                self._map = json.loads(self.path.read_text())
            except (OSError, ValueError):
                self._map = {}
        return self._map

    def get(self, blob: bytes, compute: Callable[[], str | None]) -> str | None:
        """The heading of a blob, computed once."""
        entries = self._entries()
        key = blob.decode()
        if key not in entries:
            if len(entries) >= MAX_ENTRIES:
                entries.clear()
            entries[key] = compute()
            self._dirty = True
        return entries[key]

    def flush(self) -> None:
        """Write the file if new headings were learned (atomic replace)."""
        if self._dirty and self._map is not None:
            try:
                write_private(self.path, json.dumps(self._map).encode())
            except OSError:
                pass  # a read-only data folder only costs the next cold start some reads
            self._dirty = False
