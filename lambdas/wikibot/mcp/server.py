"""The FastMCP server: tools registered from one explicit list, with their MCP annotations."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

from wikibot.errors import WikibotError
from wikibot.mcp.context import error_text
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

TOOLS: list[tuple[Callable[..., Any], dict[str, bool]]] = [
    (notes.read_note, READ),
    (notes.write_note, CHANGE),
    (notes.edit_note, CHANGE),
    (notes.delete_note, DESTROY),
    (notes.rename_note, CHANGE),
    (query.list_notes, READ),
    (query.search_notes, READ),
    (query.get_links, READ),
    (query.find_orphaned_notes, READ),
    (history.get_history, READ),
    (history.get_recent_changes, READ),
    (history.diff_note, READ),
    (attachments.list_attachments, READ),
    (attachments.upload_attachment, REPLACE),
    (attachments.download_attachment, READ),
    (attachments.delete_attachment, DESTROY),
]


def tool_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Map core errors to MCP tool errors whose text tells the agent what to do next."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except WikibotError as exc:
            raise ToolError(error_text(exc)) from exc

    return wrapper


def create_server() -> FastMCP:
    """A FastMCP server with every wikibot tool."""
    server = FastMCP("wikibot", instructions=INSTRUCTIONS)
    for fn, hints in TOOLS:
        server.tool(tool_errors(fn), annotations=hints)
    return server
