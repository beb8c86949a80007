"""Otterwiki's `GitStorage` interface over a wiki's bare repository (dulwich; no git, no work tree).

Otterwiki calls `storage.exists/load/metadata/log/list/store/...` (gitstorage.py of 2.26.1);
`WikiStorage` answers them from the object store at the head pinned for the request, and writes
with the store's compare-and-set commits. Staged operations (Otterwiki's rename:
`rename(no_commit=True)`, `update()` per rewritten backlink, one `commit()`, `restore()` on
error) collect in `_pending`, an overlay that reads see, flushed as one commit.

`path` is a scratch folder, never a work tree: Otterwiki saves uploads there before calling
`commit()`, which moves them into the repository and deletes them.

The methods live by concern: `reads` (paths, files, listings), `history` (last changes, logs,
blame, diffs), `writes` (commits), `caches` (process-wide caches of immutable objects).
"""

from __future__ import annotations

import os
from pathlib import Path

from wikibot.store.paths import RepoFiles
from wikibot.store.repo import GitRepo
from wikibot.web.storage.history import History
from wikibot.web.storage.reads import Reads
from wikibot.web.storage.writes import Writes


class WikiStorage(Reads, History, Writes):
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

    def refresh(self) -> None:
        """Pin the current head (one consistent view per request) and drop staged changes."""
        self._head = self.repo.head()
        self._pending = {}
        self.save_base = None

    @property
    def head(self) -> bytes | None:
        """The commit this request reads."""
        return self._head


def open_storage(repo_path: Path, scratch: Path, on_change=None, limits=None) -> WikiStorage:
    """The storage of one wiki (`NotFound` when it has no repository)."""
    repo = GitRepo(repo_path)
    os.makedirs(scratch, exist_ok=True)
    return WikiStorage(repo, scratch, on_change, limits)
