"""Pages in bare git repositories, one per wiki. No AWS or HTTP code here."""

from wikibot.layout import validate_slug, wiki_path
from wikibot.store.paths import RepoFiles
from wikibot.store.repo import Author, GitRepo
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
