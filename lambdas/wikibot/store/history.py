"""History questions about pages: a page's revisions, the wiki's recent changes, diffs.

A page's history comes from the per-head index (`headindex`): it reads only the commits it
returns, so its cost does not grow with the wiki's history, and a page that never existed
answers at once.
"""

from __future__ import annotations

import difflib

from wikibot.errors import InvalidInput, NotFound
from wikibot.pages import names
from wikibot.store import rules
from wikibot.store.paths import RepoFiles
from wikibot.store.revision import Revision

__all__ = ["PageHistory", "Revision"]


def _check_limit(limit: int, most: int = 200) -> None:
    if not isinstance(limit, int) or not 1 <= limit <= most:
        raise InvalidInput(f"limit must be between 1 and {most}.")


class PageHistory:
    """History, recent changes and diffs of pages.

    Args:
        files: The wiki's path-level layer.
    """

    def __init__(self, files: RepoFiles):
        self.files = files
        self.repo = files.repo

    def history(self, name: str, limit: int = 10) -> list[Revision]:
        """Revisions that changed a page, newest first."""
        _check_limit(limit)
        found = self.files.log(rules.page_file(name), limit)
        if not found:
            raise NotFound(f"Page {name!r} has no history; check the name with list_notes.")
        return found

    def recent_changes(self, limit: int = 20) -> list[Revision]:
        """The wiki's latest commits, newest first, with the pages each touched."""
        _check_limit(limit)
        result = []
        for rev in self.files.log(None, limit):
            pages = tuple(names.page_name(f) for f in rev.files if names.is_page_file(f))
            result.append(
                Revision(
                    rev.id,
                    rev.author,
                    rev.email,
                    rev.time,
                    rev.message,
                    pages,
                    rev.timestamp,
                    rev.files,
                )
            )
        return result

    def diff(self, name: str, from_revision: str, to_revision: str = "") -> str:
        """Unified diff of a page between two revisions (`to_revision` defaults to head)."""
        path = rules.page_file(name)
        old_commit = self.repo.resolve(from_revision)
        new_commit = self.repo.resolve(to_revision or None)
        old = self.repo.read(self.repo.tree_of(old_commit), path)
        new = self.repo.read(self.repo.tree_of(new_commit), path)
        if old is None and new is None:
            raise NotFound(f"Page {name!r} exists at neither revision.")
        lines = difflib.unified_diff(
            (old or b"").decode("utf-8", "replace").splitlines(keepends=True),
            (new or b"").decode("utf-8", "replace").splitlines(keepends=True),
            fromfile=f"{path}@{old_commit.decode()[:12]}",
            tofile=f"{path}@{new_commit.decode()[:12]}",
        )
        return "".join(lines)
