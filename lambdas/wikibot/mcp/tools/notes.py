"""Tools that read and change one page: read, write, edit, delete, rename."""

from __future__ import annotations

from wikibot.mcp.context import wiki
from wikibot.pages.markdown import Meta


def describe_meta(meta: Meta) -> str:
    """One line of frontmatter facts for listings and headers."""
    parts = []
    if meta.category:
        parts.append(f"category: {meta.category}")
    if meta.tags:
        parts.append("tags: " + ", ".join(meta.tags))
    parts.append(f"words: {meta.word_count}")
    return " | ".join(parts)


def read_note(path: str, revision: str = "", section: str = "") -> str:
    """Read a wiki page as raw Markdown, with its revision, metadata and links.

    Start a session by reading "Home", then get_recent_changes. Pass the returned revision to
    write_note or edit_note when you change the page.

    Args:
        path: Page name, e.g. "Projects/Alpha Plan" (case-insensitive, no ".md" needed).
        revision: Optional revision id (7+ hex characters) from get_history to read an old
            version; empty reads the current one.
        section: Optional heading title or heading path such as "Background > Details" to read
            only that section; a miss lists the available sections.

    Returns:
        A header (path, revision, category/tags/word count, outgoing and incoming links), a
        line "---", then the page's Markdown.
    """
    store, _ = wiki("read")
    page = store.read(path, revision or None, section or None)
    links = store.links(page.name) if not revision else None
    lines = [f"# {page.meta.title or page.name}", f"path: {page.name}"]
    lines.append(f"revision: {page.revision}")
    lines.append(describe_meta(page.meta))
    if links is not None:
        out = ", ".join(f"[[{t}]]" + ("" if ok else " (missing)") for t, ok in links.outgoing)
        lines.append(f"links out: {out or 'none'}")
        lines.append("links in: " + (", ".join(f"[[{n}]]" for n in links.incoming) or "none"))
    return "\n".join(lines) + "\n---\n" + page.text


def write_note(path: str, content: str, revision: str = "", commit_message: str = "") -> str:
    """Create a page, or replace a whole page you have read.

    To create, leave revision empty (fails if the page exists). To replace, pass the revision
    read_note returned; if someone changed the page since, you get a conflict: re-read, merge,
    and write again. Prefer edit_note for small changes.

    Args:
        path: Page name, e.g. "Projects/Alpha Plan". Folders are created as needed.
        content: The full Markdown, optionally starting with YAML frontmatter (title,
            category, tags). At most 1,000,000 bytes.
        revision: The revision you read (7+ hex characters), required to replace a page.
        commit_message: Optional note for history; defaults to "[mcp] create/update: <path>".

    Returns:
        The page path and its new revision.
    """
    store, author = wiki("write")
    result = store.write(path, content, author, revision=revision or None, message=commit_message)
    verb = "Created" if result.created else "Updated"
    return f"{verb} {result.name}\nrevision: {result.revision}"


def edit_note(
    path: str, revision: str, old_string: str, new_string: str, commit_message: str = ""
) -> str:
    """Replace one exact passage of a page (frontmatter included).

    old_string must occur exactly once in the page at `revision`; include surrounding text to
    make it unique. An empty new_string deletes the passage.

    Args:
        path: Page name.
        revision: The revision read_note returned (7+ hex characters).
        old_string: The exact text to replace, copied from the page.
        new_string: The replacement text ("" deletes old_string).
        commit_message: Optional note for history.

    Returns:
        The page path and its new revision.
    """
    store, author = wiki("write")
    result = store.edit(
        path, old_string, new_string, author, revision=revision, message=commit_message
    )
    return f"Edited {result.name}\nrevision: {result.revision}"


def delete_note(path: str, commit_message: str = "") -> str:
    """Delete a page and its attachments. Confirm with the user before calling this.

    Subpages (e.g. "Projects/Alpha" under "Projects") are kept; delete them separately if
    wanted. History keeps the old content; get_history and read_note with a revision can
    recover it.

    Args:
        path: Page name.
        commit_message: Optional note for history.

    Returns:
        The deleted page, the attachments removed with it, the subpages kept, and the new
        revision of the wiki.
    """
    store, author = wiki("write")
    result = store.delete(path, author, message=commit_message)
    removed = ", ".join(result.removed) or "none"
    kept = ", ".join(result.kept) or "none"
    return (
        f"Deleted {result.name}\nattachments removed: {removed}\nsubpages kept: {kept}\n"
        f"revision: {result.revision}"
    )


def rename_note(path: str, new_path: str, commit_message: str = "") -> str:
    """Move a page to a new name and rewrite every [[WikiLink]] to it, in one commit.

    Refuses to overwrite an existing page. Attachments and subpages move with the page, and
    links to the subpages are rewritten too.

    Args:
        path: Current page name.
        new_path: New page name, e.g. "Archive/Alpha Plan".
        commit_message: Optional note for history.

    Returns:
        The new path, the new revision and the pages whose links were rewritten.
    """
    store, author = wiki("write")
    result, rewritten = store.rename(path, new_path, author, message=commit_message)
    pages = ", ".join(rewritten) if rewritten else "none"
    return (
        f"Renamed {path} -> {result.name}\nrevision: {result.revision}\nlinks rewritten in: {pages}"
    )
