"""Parsed page facts cached by blob id, and page listings cached by tree id.

Blob and tree ids name immutable content, so nothing cached here can go stale: a warm process
answers list and search from the head tree, parsing only blobs it has not seen. Entries are keyed
by (repository, object id), so a hit never answers one wiki with another wiki's objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from wikibot.errors import InvalidInput
from wikibot.pages import markdown, names
from wikibot.store.cache import LRU

if TYPE_CHECKING:
    from wikibot.store.repo import GitRepo


@dataclass(frozen=True)
class PageInfo:
    """What the queries need from one version of a page."""

    text: str
    meta: markdown.Meta
    links: tuple[str, ...]
    targets: frozenset[str]  # the page files the links point at


def targets_of(links: list[str]) -> frozenset[str]:
    """The page files a page's WikiLinks point at (links no page could have are dropped)."""
    files = set()
    for link in links:
        try:
            files.add(names.page_file(link))
        except InvalidInput:
            continue  # a link no page could have; it points nowhere
    return frozenset(files)


class PageIndex:
    """Parsed pages by blob id and page listings by tree id, bounded (shared across wikis)."""

    _shared: ClassVar[PageIndex | None] = None

    def __init__(self, max_bytes: int = 64 * 1024 * 1024, max_trees: int = 256):
        self._infos: LRU[PageInfo] = LRU(max_bytes, cost=lambda info: len(info.text))
        self._trees: LRU[tuple[tuple[str, bytes], ...]] = LRU(max_trees)

    @classmethod
    def shared(cls) -> PageIndex:
        """The process-wide index (warm Lambda invocations reuse it)."""
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def info(self, repo: GitRepo, blob: bytes) -> PageInfo:
        """Parsed facts of a page blob, from the cache or parsed now."""

        def parse() -> PageInfo:
            text = repo.object(blob).data.decode("utf-8", "replace")
            links = markdown.extract_links(text)
            return PageInfo(text, markdown.parse_meta(text), tuple(links), targets_of(links))

        return self._infos.get_or_make((repo.identity, blob), parse)

    def page_files(self, repo: GitRepo, tree: bytes) -> tuple[tuple[str, bytes], ...]:
        """(page file, blob id) of every page under a root tree, from the cache or walked now."""
        return self._trees.get_or_make(
            (repo.identity, tree),
            lambda: tuple((p, b) for p, b in repo.walk_files(tree) if names.is_page_file(p)),
        )

    def pages(self, repo: GitRepo, tree: bytes) -> list[tuple[str, PageInfo]]:
        """(page file, parsed info) of every page under a root tree."""
        return [(path, self.info(repo, blob)) for path, blob in self.page_files(repo, tree)]
