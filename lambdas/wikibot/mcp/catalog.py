"""The tool catalog: which functions are MCP tools, their annotations and the permission each needs.

FastMCP (mcp/server.py) registers exactly these; the cold path (mcp/fast) calls exactly these.
This module imports no fastmcp, so the cold path can use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wikibot.mcp.tools import attachments, history, notes, query

INSTRUCTIONS = """\
This is a private wiki of Markdown pages kept in git: the user's long-term memory.
At the start of a session read "Home" and "Meta/Wiki Usage Guide", then get_recent_changes.
Before writing, search_notes or list_notes to update an existing page instead of duplicating it.
Link pages with [[Page Name]] or [[text|Page Name]]. Every change is versioned; writes need the
revision you read, so re-read after a conflict."""

READ = {"readOnlyHint": True, "idempotentHint": True, "openWorldHint": False}
CHANGE = {"readOnlyHint": False, "destructiveHint": False, "openWorldHint": False}
REPLACE = {**CHANGE, "idempotentHint": True}
DESTROY = {"readOnlyHint": False, "destructiveHint": True, "openWorldHint": False}

# (tool, MCP annotations, the permission its caller's role must grant: wikibot.auth.policy).
TOOLS: list[tuple[Callable[..., Any], dict[str, bool], str]] = [
    (notes.read_note, READ, "read"),
    (notes.write_note, CHANGE, "write"),
    (notes.edit_note, CHANGE, "write"),
    (notes.delete_note, DESTROY, "delete"),
    (notes.rename_note, CHANGE, "write"),
    (query.list_notes, READ, "read"),
    (query.search_notes, READ, "read"),
    (query.get_links, READ, "read"),
    (query.find_orphaned_notes, READ, "read"),
    (history.get_history, READ, "read"),
    (history.get_recent_changes, READ, "read"),
    (history.diff_note, READ, "read"),
    (attachments.list_attachments, READ, "read"),
    (attachments.upload_attachment, REPLACE, "upload"),
    (attachments.download_attachment, READ, "read"),
    (attachments.delete_attachment, DESTROY, "delete"),
]

FUNCTIONS: dict[str, Callable[..., Any]] = {fn.__name__: fn for fn, _, _ in TOOLS}
PERMISSIONS: dict[str, str] = {fn.__name__: permission for fn, _, permission in TOOLS}
