"""Create and remove whole wikis, and check the plan limits on a wiki's size.

The registry record and the repository move together.
"""

from __future__ import annotations

import shutil

from wikibot.bootstrap import seed_pages
from wikibot.errors import AlreadyExists, LimitExceeded
from wikibot.pages import names
from wikibot.registry.base import Registry, Wiki
from wikibot.settings import Settings
from wikibot.store import Author, GitRepo, wiki_path

SYSTEM = Author("wikibot", "system@wikibot.invalid", "system")


def create_wiki(
    settings: Settings,
    registry: Registry,
    owner: str,
    slug: str,
    title: str = "",
    *,
    public: bool = False,
) -> Wiki:
    """Register a wiki and create its repository with the bootstrap pages in a first commit."""
    path = wiki_path(settings.data_root, owner, slug)
    if path.exists():
        raise AlreadyExists(f"A repository already exists at {owner}/{slug}; pick another slug.")
    wiki = registry.create_wiki(owner, slug, title, public=public)
    try:
        repo = GitRepo.init(path)
        pages = [
            (names.page_file(name), text.encode())
            for name, text in seed_pages(wiki.title or slug).items()
        ]
        repo.commit_changes(lambda head, tree: pages, SYSTEM, "[system] create: wiki")
        wiki = registry.update_wiki(
            owner, slug, page_count=len(pages), bytes=sum(len(data) for _, data in pages)
        )
    except BaseException:
        registry.delete_wiki(owner, slug)
        shutil.rmtree(path, ignore_errors=True)
        raise
    return wiki


def delete_wiki(settings: Settings, registry: Registry, owner: str, slug: str) -> None:
    """Remove a wiki's record, its tokens and its repository."""
    registry.delete_wiki(owner, slug)
    shutil.rmtree(wiki_path(settings.data_root, owner, slug).parent, ignore_errors=True)


def check_room(settings: Settings, wiki: Wiki, *, add_pages: int = 0, add_bytes: int = 0) -> None:
    """Refuse a change that would take a wiki past the plan's pages or bytes.

    Uses the usage facts the registry keeps (`Wiki.page_count`, `Wiki.bytes`); writers call
    `record_usage` after a change so the next check sees it.

    Raises:
        LimitExceeded: With the limit, the current use and what to do.
    """
    pages = wiki.page_count + add_pages
    if add_pages > 0 and pages > settings.plan_max_pages:
        raise LimitExceeded(
            f"{wiki.key} has {wiki.page_count} pages and the plan allows "
            f"{settings.plan_max_pages}; delete or merge pages first."
        )
    size = wiki.bytes + add_bytes
    if add_bytes > 0 and size > settings.plan_max_wiki_bytes:
        raise LimitExceeded(
            f"{wiki.key} holds {wiki.bytes:,} bytes and the plan allows "
            f"{settings.plan_max_wiki_bytes:,}; this change needs {add_bytes:,} more. "
            "Delete attachments or pages first."
        )


def record_usage(registry: Registry, owner: str, slug: str, page_count: int, size: int) -> Wiki:
    """Store a wiki's current page count and bytes (and its `updated_at`)."""
    return registry.update_wiki(owner, slug, page_count=page_count, bytes=size)
