"""Lambda entry for the MCP function: API Gateway (HTTP API v2) events.

`make_handler(settings)` builds the handler; the Lambda runtime reads the module attribute
`handler`, built from the environment on first access (PEP 562). Lambda resolves it during INIT,
so INIT still pays for it, while `wikibot dev`, tests and the bench can import `make_handler`
without building a second handler from whatever the environment holds.

Every request passes the gate first (route, credential, body size). FastMCP is imported on first
need; the EventBridge warming ping (`{"wikibot": "warm"}`) is answered at once.
"""

from __future__ import annotations

from collections.abc import Callable

from wikibot.auth.access import Authorizer
from wikibot.mcp.context import bind
from wikibot.mcp.gate import Gatekeeper, Response
from wikibot.registry import open_registry
from wikibot.settings import Settings, from_env

Handler = Callable[[dict, object], dict]


def make_handler(settings: Settings) -> Handler:
    """The MCP Lambda handler for these settings."""
    gate = Gatekeeper(settings, Authorizer(open_registry(settings)))
    fallback: list[Handler] = []

    def full_server() -> Handler:
        if not fallback:
            from wikibot.mcp.app import FastMCPApp

            fallback.append(FastMCPApp())
        return fallback[0]

    def handler(event: dict, context: object) -> dict:
        """Serve one API Gateway event, or answer a warming ping."""
        if event.get("wikibot") == "warm":
            return {"warm": True}
        admitted = gate.admit(event)
        if isinstance(admitted, Response):
            return admitted.result()
        with bind(admitted.access, admitted.store):
            return full_server()(event, context)

    return handler


def __getattr__(name: str) -> Handler:
    # Lambda's runtime resolves `handler` with getattr during INIT, so the build still runs there.
    if name == "handler":
        built = make_handler(from_env())
        globals()["handler"] = built
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
