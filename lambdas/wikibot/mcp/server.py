"""The FastMCP server: the tools of `wikibot.mcp.catalog`, registered with their annotations."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from fastmcp import FastMCP
from fastmcp.exceptions import ToolError

from wikibot.errors import WikibotError
from wikibot.mcp.catalog import INSTRUCTIONS, TOOLS
from wikibot.mcp.context import error_text


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
    for fn, hints, _permission in TOOLS:
        server.tool(tool_errors(fn), annotations=hints)
    return server
