"""Tools that look across the wiki: list, search, links, orphans."""

from __future__ import annotations

from wikibot.mcp.context import wiki
from wikibot.mcp.tools.notes import describe_meta


def list_notes(prefix: str = "", category: str = "", tag: str = "", updated_since: str = "") -> str:
    """List pages, optionally filtered; all filters combine with AND.

    Args:
        prefix: Only pages under this folder or name prefix, e.g. "Projects/".
        category: Only pages whose frontmatter category equals this (case-insensitive).
        tag: Only pages whose frontmatter tags include this (case-insensitive).
        updated_since: Only pages changed at or after this ISO 8601 date or date-time.

    Returns:
        One line per page: path, then category, tags and word count.
    """
    store, _ = wiki("read")
    pages = store.list_pages(prefix, category, tag, updated_since)
    if not pages:
        return "No pages match."
    lines = [f"{len(pages)} page(s):"]
    lines += [f"- {p.name} ({describe_meta(p.meta)})" for p in pages]
    return "\n".join(lines)


def search_notes(query: str, limit: int = 10) -> str:
    """Full-text search over page names and content, best matches first.

    Args:
        query: Words to look for; pages containing all of them as a phrase rank highest.
        limit: How many results to return (1-100).

    Returns:
        Ranked results, each with its path, score and a snippet with matches in **bold**.
    """
    store, _ = wiki("read")
    hits = store.search(query, limit=limit)
    if not hits:
        return f"No pages match {query!r}. Try fewer or different words, or list_notes."
    return "\n".join(
        f"{i}. {h.name} (score {h.score:.2f})\n   {h.snippet}" for i, h in enumerate(hits, 1)
    )


def get_links(path: str) -> str:
    """Outgoing [[WikiLinks]] of a page (marking missing targets) and the pages linking to it.

    Args:
        path: Page name.

    Returns:
        Two sections, "links out" and "links in".
    """
    store, _ = wiki("read")
    links = store.links(path)
    out = [
        f"- {t}" + ("" if ok else " (missing: create it or fix the link)")
        for t, ok in links.outgoing
    ]
    incoming = [f"- {n}" for n in links.incoming]
    return "\n".join(
        [
            f"links out of {links.name}:",
            *(out or ["(none)"]),
            "links in:",
            *(incoming or ["(none)"]),
        ]
    )


def find_orphaned_notes() -> str:
    """Pages that no other page links to (Home excluded): candidates to link or tidy up.

    Returns:
        One page per line, or a note that there are none.
    """
    store, _ = wiki("read")
    orphans = store.orphans()
    if not orphans:
        return "No orphaned pages."
    return f"{len(orphans)} orphaned page(s):\n" + "\n".join(f"- {n}" for n in orphans)
