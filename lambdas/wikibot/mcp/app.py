"""FastMCP behind the gate: the reference MCP server, never part of the MCP Lambda.

The Lambda answers every request with the cold path (`wikibot.mcp.fast`, decision 0012); its zip
holds neither fastmcp, the MCP SDK, pydantic, starlette, mangum nor cryptography. This app is
FastMCP's own answer to the same events, used only where the dev dependencies are installed:
by the manifest build (`python -m wikibot.mcp.fast.build`), by the equivalence tests and the
bench through `make_handler(settings, cold_path=False)`. The gate has already resolved the
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
