"""History questions: a page's revisions, the wiki's recent changes, diffs between revisions."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from dulwich.diff_tree import tree_changes
from dulwich.objects import Commit

from wikibot.errors import InvalidInput, NotFound
from wikibot.pages import names

if TYPE_CHECKING:
    from wikibot.store.repo import GitRepo


@dataclass(frozen=True)
class Revision:
    """One commit as agents and people see it."""

    id: str
    author: str
    email: str
    time: str
    message: str
    pages: tuple[str, ...] = ()


def _revision(commit: Commit, pages: tuple[str, ...] = ()) -> Revision:
    raw = commit.author.decode("utf-8", "replace")
    name, _, email = raw.partition(" <")
    when = datetime.fromtimestamp(commit.author_time, UTC).isoformat().replace("+00:00", "Z")
    message = commit.message.decode("utf-8", "replace").strip()
    return Revision(commit.id.decode(), name, email.rstrip(">"), when, message, pages)


def _check_limit(limit: int, most: int = 200) -> None:
    if not 1 <= limit <= most:
        raise InvalidInput(f"limit must be between 1 and {most}.")


class HistoryOps:
    """Mixin for WikiStore: history, recent changes and diffs."""

    repo: GitRepo

    file_for: Callable[[str], str]  # provided by WikiStore

    def changed_files(self, commit: Commit) -> set[str]:
        """Paths a commit added, changed or removed relative to its first parent."""
        parent_tree = self.repo.tree_of(commit.parents[0]) if commit.parents else None
        changed = set()
        for change in tree_changes(self.repo.objects, parent_tree, commit.tree):
            for side in (change.old, change.new):
                if side is not None and side.path is not None:
                    changed.add(side.path.decode("utf-8", "replace"))
        return changed

    def history(self, name: str, limit: int = 10) -> list[Revision]:
        """Revisions that changed a page, newest first."""
        _check_limit(limit)
        path = self.file_for(name)
        found = [_revision(c) for c in self.repo.log(paths=[path], limit=limit)]
        if not found:
            raise NotFound(f"Page {name!r} has no history; check the name with list_notes.")
        return found

    def recent_changes(self, limit: int = 20) -> list[Revision]:
        """The wiki's latest commits, newest first, with the pages each touched."""
        _check_limit(limit)
        result = []
        for commit in self.repo.log(limit=limit):
            files = sorted(self.changed_files(commit))
            pages = tuple(names.page_name(f) for f in files if names.is_page_file(f))
            result.append(_revision(commit, pages))
        return result

    def diff(self, name: str, from_revision: str, to_revision: str = "") -> str:
        """Unified diff of a page between two revisions (`to_revision` defaults to head)."""
        path = self.file_for(name)
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
