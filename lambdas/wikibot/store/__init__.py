"""Pages in bare git repositories, one per wiki. No AWS or HTTP code here.

The page API (`WikiStore`, `Page`, `WriteResult`) loads on first use: the web UI needs only the
path layer (`RepoFiles`), and a cold start should not pay for the rest.
"""

from typing import TYPE_CHECKING

from wikibot.layout import validate_slug, wiki_path
from wikibot.store.paths import RepoFiles
from wikibot.store.repo import Author, GitRepo

if TYPE_CHECKING:
    from wikibot.store.wiki import Page, WikiStore, WriteResult

__all__ = [
    "Author",
    "GitRepo",
    "Page",
    "RepoFiles",
    "WikiStore",
    "WriteResult",
    "validate_slug",
    "wiki_path",
]
_PAGE_API = frozenset({"Page", "WikiStore", "WriteResult"})


def __getattr__(name: str) -> object:
    if name in _PAGE_API:
        from wikibot.store import wiki

        return getattr(wiki, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
