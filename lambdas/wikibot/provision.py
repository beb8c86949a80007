"""Create and remove whole wikis: the registry record and the repository move together."""

from __future__ import annotations

import shutil

from wikibot.bootstrap import seed_pages
from wikibot.errors import AlreadyExists
from wikibot.pages import names
from wikibot.registry.base import Registry, Wiki
from wikibot.settings import Settings
from wikibot.store import Author, GitRepo, wiki_path

SYSTEM = Author("wikibot", "system@wikibot.invalid", "system")


def create_wiki(
    settings: Settings, registry: Registry, owner: str, slug: str, title: str = ""
) -> Wiki:
    """Register a wiki and create its repository with the bootstrap pages in a first commit."""
    path = wiki_path(settings.data_root, owner, slug)
    if path.exists():
        raise AlreadyExists(f"A repository already exists at {owner}/{slug}; pick another slug.")
    wiki = registry.create_wiki(owner, slug, title)
    try:
        repo = GitRepo.init(path)
        pages = [
            (names.page_file(name), text.encode())
            for name, text in seed_pages(wiki.title or slug).items()
        ]
        repo.commit_changes(lambda head, tree: pages, SYSTEM, "[system] create: wiki")
    except BaseException:
        registry.delete_wiki(owner, slug)
        shutil.rmtree(path, ignore_errors=True)
        raise
    return wiki


def delete_wiki(settings: Settings, registry: Registry, owner: str, slug: str) -> None:
    """Remove a wiki's record, its tokens and its repository."""
    registry.delete_wiki(owner, slug)
    shutil.rmtree(wiki_path(settings.data_root, owner, slug).parent, ignore_errors=True)
