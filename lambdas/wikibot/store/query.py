"""Read-only questions over the whole wiki at head: list, search, links, orphans."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from wikibot.errors import InvalidInput, NotFound
from wikibot.pages import markdown, names, search

if TYPE_CHECKING:
    from wikibot.store.index import PageIndex, PageInfo
    from wikibot.store.repo import GitRepo

HOME = "home"


@dataclass(frozen=True)
class PageSummary:
    """One line of a listing."""

    name: str
    meta: markdown.Meta


@dataclass(frozen=True)
class Links:
    """Outgoing WikiLinks of a page (and whether each target exists) and pages linking to it."""

    name: str
    outgoing: list[tuple[str, bool]]
    incoming: list[str]


class QueryOps:
    """Mixin for WikiStore: queries that scan the head tree through the blob-id cache."""

    repo: GitRepo
    index: PageIndex

    file_for: Callable[[str], str]  # provided by WikiStore

    def pages(self) -> list[tuple[str, PageInfo]]:
        """(page file, parsed info) for every page at head."""
        head = self.repo.head()
        return self.index.pages(self.repo, self.repo.tree_of(head)) if head else []

    def list_pages(
        self,
        prefix: str = "",
        category: str = "",
        tag: str = "",
        updated_since: str = "",
    ) -> list[PageSummary]:
        """Pages matching every given filter, sorted by name."""
        folder = names.normalize_page_name(prefix).lower() if prefix.strip(" /") else ""
        if folder and prefix.rstrip().endswith("/"):
            folder += "/"  # "Projects/" lists the folder, not "Projects-old"
        changed = self.changed_since(parse_time(updated_since)) if updated_since else None
        found = []
        for path, info in self.pages():
            name = names.page_name(path)
            if folder and not name.lower().startswith(folder):
                continue
            if category and (info.meta.category or "").lower() != category.strip().lower():
                continue
            if tag and not info.meta.has_tag(tag):
                continue
            if changed is not None and path not in changed:
                continue
            found.append(PageSummary(name, info.meta))
        return sorted(found, key=lambda p: p.name.lower())

    def changed_since(self, since: int) -> set[str]:
        """Files touched by commits made at or after `since` (unix seconds)."""
        changed: set[str] = set()
        for commit in self.repo.log():
            if commit.commit_time < since:
                break
            changed |= self.changed_files(commit)
        return changed

    changed_files: Callable[[Any], set[str]]  # provided by HistoryOps

    def search(self, query: str, limit: int = 20) -> list[search.Hit]:
        """Ranked full-text search over page names and text."""
        if not 1 <= limit <= 100:
            raise InvalidInput("limit must be between 1 and 100.")
        docs = ((names.page_name(path), info.text) for path, info in self.pages())
        return search.search(docs, query, limit=limit)

    def links(self, name: str) -> Links:
        """Outgoing and incoming WikiLinks of an existing page."""
        target = self.file_for(name)
        existing: dict[str, PageInfo] = dict(self.pages())
        if target not in existing:
            raise NotFound(f"Page {name!r} does not exist; use list_notes to find pages.")
        outgoing = []
        for link in existing[target].links:
            try:
                outgoing.append((link, self.file_for(link) in existing))
            except InvalidInput:
                continue
        incoming = sorted(
            names.page_name(path)
            for path, info in existing.items()
            if path != target and target in info.targets
        )
        return Links(names.page_name(target), outgoing, incoming)

    def orphans(self) -> list[str]:
        """Pages no other page links to (Home excluded)."""
        existing = dict(self.pages())
        linked: set[str] = set()
        for path, info in existing.items():
            linked |= info.targets - {path}
        return sorted(
            names.page_name(path)
            for path in existing
            if path not in linked and names.page_name(path).lower() != HOME
        )


def parse_time(value: str) -> int:
    """Parse an ISO 8601 date or date-time (UTC if no zone) into unix seconds."""
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput(
            f"updated_since {value!r} is not a date; use ISO 8601 like 2026-01-31 or "
            "2026-01-31T12:00:00Z."
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())
