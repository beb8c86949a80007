"""Read-only questions over the whole wiki at head: list, search, links, orphans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from wikibot.errors import InvalidInput, NotFound
from wikibot.pages import markdown, names, search
from wikibot.store import rules
from wikibot.store.headindex import changed_paths

if TYPE_CHECKING:
    from wikibot.store.index import PageInfo
    from wikibot.store.paths import RepoFiles

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


class PageQueries:
    """Queries over the whole wiki at head.

    List and search read pages through the parsed-page cache; links and orphans come from the
    per-head link graph (`headindex`), so a fresh process parses no page to answer them.

    Args:
        files: The wiki's path-level layer.
    """

    def __init__(self, files: RepoFiles):
        self.files = files
        self.repo = files.repo

    def pages(self) -> list[tuple[str, PageInfo]]:
        """(page file, parsed info) for every page at head."""
        head = self.repo.head()
        return self.files.pages.pages(self.repo, self.repo.tree_of(head)) if head else []

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
            parent = self.repo.tree_of(commit.parents[0]) if commit.parents else None
            changed |= changed_paths(self.repo, parent, commit.tree)
        return changed

    def search(self, query: str, limit: int = 20) -> list[search.Hit]:
        """Ranked full-text search over page names and text."""
        if not 1 <= limit <= 100:
            raise InvalidInput("limit must be between 1 and 100.")
        docs = ((names.page_name(path), info.text) for path, info in self.pages())
        return search.search(docs, query, limit=limit)

    def links(self, name: str) -> Links:
        """Outgoing and incoming WikiLinks of an existing page."""
        target = rules.page_file(name)
        head = self.repo.head()
        snap = self.files.index()
        blob = self.repo.blob_id(self.repo.tree_of(head), target) if head else None
        if snap is None or blob is None:
            raise NotFound(f"Page {name!r} does not exist; use list_notes to find pages.")
        outgoing = []
        for link in self.files.pages.info(self.repo, blob).links:
            try:
                outgoing.append((link, rules.page_file(link) in snap.links))
            except InvalidInput:
                continue
        incoming = sorted(names.page_name(path) for path in snap.backlinks(target))
        return Links(names.page_name(target), outgoing, incoming)

    def orphans(self) -> list[str]:
        """Pages no other page links to (Home excluded)."""
        snap = self.files.index()
        if snap is None:
            return []
        linked = snap.linked()
        return sorted(
            names.page_name(path)
            for path in snap.links
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
