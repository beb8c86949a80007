"""Tools for files attached to a page."""

from __future__ import annotations

import base64

from wikibot.mcp.context import decode_base64, wiki


def list_attachments(path: str) -> str:
    """List the files attached to a page, with sizes; fetch one with download_attachment.

    Subpages are not attachments; list them with list_notes(prefix="<page>/").

    Args:
        path: Page name.

    Returns:
        One line per file with its size in bytes.
    """
    store, _ = wiki("read")
    files = store.attachments(path)
    if not files:
        return f"No attachments on {path}."
    return "\n".join(f"- {a.name} ({a.size} bytes)" for a in files)


def upload_attachment(path: str, filename: str, content_base64: str) -> str:
    """Attach a file to an existing page (replaces a file of the same name).

    Link it from the page as [filename](/<page>/<filename>) or embed images with ![..](..).

    Args:
        path: Page name; the page must exist.
        filename: Plain file name like "diagram.png" (no folders, no leading dot, not ending
            in ".md": Markdown files are subpages, written with write_note).
        content_base64: The file bytes, base64-encoded, within the wiki's attachment size
            limit (the error names it).

    Returns:
        The stored name, size and the new revision.
    """
    store, author = wiki("write")
    data = decode_base64(content_base64, "content_base64")
    revision = store.put_attachment(path, filename, data, author)
    return f"Attached {filename} ({len(data)} bytes) to {path}\nrevision: {revision}"


def download_attachment(path: str, filename: str, revision: str = "") -> str:
    """Fetch an attached file as base64.

    Args:
        path: Page name.
        filename: The attachment's name from list_attachments.
        revision: Optional revision id for an older version.

    Returns:
        The file bytes, base64-encoded.
    """
    store, _ = wiki("read")
    return base64.b64encode(store.get_attachment(path, filename, revision or None)).decode()


def delete_attachment(path: str, filename: str) -> str:
    """Remove an attached file. Confirm with the user first; history keeps the old bytes.

    Args:
        path: Page name.
        filename: The attachment's name from list_attachments.

    Returns:
        The new revision.
    """
    store, author = wiki("write")
    revision = store.delete_attachment(path, filename, author)
    return f"Deleted {filename} from {path}\nrevision: {revision}"
