"""Tools over history: a page's revisions, recent changes, diffs."""

from __future__ import annotations

from wikibot.mcp.context import wiki
from wikibot.store.revision import Revision


def _line(rev: Revision) -> str:
    return f"- {rev.id} {rev.time} {rev.author}: {rev.message}"


def get_history(path: str, limit: int = 10) -> str:
    """Revisions that changed a page, newest first.

    Args:
        path: Page name.
        limit: How many revisions (1-200).

    Returns:
        One line per revision: id, time (UTC), author, message. Pass an id to read_note or
        diff_note.
    """
    store, _ = wiki("read")
    return "\n".join(_line(r) for r in store.history(path, limit))


def get_recent_changes(limit: int = 20) -> str:
    """The wiki's latest changes, newest first; read this at the start of a session.

    Args:
        limit: How many commits (1-200).

    Returns:
        One entry per commit with id, time, author, message and the pages it touched.
    """
    store, _ = wiki("read")
    lines = []
    for rev in store.recent_changes(limit):
        lines.append(_line(rev))
        if rev.pages:
            lines.append("  pages: " + ", ".join(rev.pages))
    return "\n".join(lines) or "No changes yet."


def diff_note(path: str, from_revision: str, to_revision: str = "") -> str:
    """Unified diff of a page between two revisions.

    Args:
        path: Page name.
        from_revision: The older revision id (7+ hex characters).
        to_revision: The newer revision id; empty means the current version.

    Returns:
        The diff, or a note that the page did not change.
    """
    store, _ = wiki("read")
    return store.diff(path, from_revision, to_revision) or "No differences."
