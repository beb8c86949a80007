"""FastMCP behind the gate: the full MCP server, for whatever the cold path does not answer.

Importing this module loads fastmcp, the MCP SDK, pydantic and starlette (~0.8 s cold with
bytecode), so `mcp/handler.py` imports it only on first need. The gate has already resolved the
caller and bound the access and store (`wikibot.mcp.context.bind`) when an event arrives here.
"""

from __future__ import annotations

import copy

from mangum import Mangum

from wikibot.mcp.server import create_server

INNER_PATH = "/mcp"


class FastMCPApp:
    """FastMCP's stateless JSON app, run per API Gateway event through Mangum."""

    def __init__(self) -> None:
        self.asgi = create_server().http_app(
            path=INNER_PATH, stateless_http=True, json_response=True, host_origin_protection=False
        )
        self._mangum = Mangum(self.asgi, lifespan="auto")

    def __call__(self, event: dict, context: object) -> dict:
        """Serve one event whose path named a wiki's MCP endpoint (`/{user}/{wiki}/mcp`)."""
        inner = copy.copy(event)
        inner["rawPath"] = INNER_PATH
        request_context = copy.deepcopy(event.get("requestContext") or {})
        request_context.setdefault("http", {})["path"] = INNER_PATH
        inner["requestContext"] = request_context
        return self._mangum(inner, context)
