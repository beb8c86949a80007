"""Lambda entry for the MCP function: API Gateway (HTTP API v2) events.

`make_handler(settings)` builds the handler; the Lambda runtime reads the module attribute
`handler`, built from the environment on first access (PEP 562). Lambda resolves it during INIT,
so INIT still pays for it, while `wikibot dev`, tests and the bench can import `make_handler`
without building a second handler from whatever the environment holds.

Every request passes the gate (route, credential, body size) and, for a tool call, the tool's
permission. The cold path (`mcp/fast`) then answers it, whatever it is, as FastMCP would: the
Lambda ships without FastMCP, the MCP SDK, pydantic, starlette, mangum and cryptography
(docs/decisions/0012). `make_handler(settings, cold_path=False)` sends requests to FastMCP
instead (`mcp/app.py`, dev dependencies only): the reference the equivalence tests and the
bench compare with. The EventBridge warming ping (`{"wikibot": "warm"}`) is answered at once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from wikibot import tracing
from wikibot.auth import oauth
from wikibot.auth.access import Authorizer
from wikibot.errors import Forbidden, InvalidInput, NotFound
from wikibot.mcp.context import bind, error_text
from wikibot.mcp.fast.path import ColdPath, Incoming, tool_result
from wikibot.mcp.gate import Gatekeeper, Response
from wikibot.registry import open_registry
from wikibot.settings import Settings, from_env

Handler = Callable[[dict, object], dict]
log = logging.getLogger("wikibot.mcp")
METADATA_PATH = re.compile(
    re.escape(oauth.WELL_KNOWN) + r"(?:/(?P<user>[^/]+)/(?P<wiki>[^/]+)/mcp)?/?"
)


def metadata(settings: Settings, path: str) -> Response | None:
    """RFC 9728 protected-resource metadata for `/.well-known/oauth-protected-resource/...`."""
    match = METADATA_PATH.fullmatch(path)
    if match is None:
        return None
    if not match["user"]:
        # The root document names no wiki: clients must use the per-wiki one from the 401.
        return Response(404, {"error": "Use the per-wiki metadata URL from the 401 challenge."})
    try:
        document = oauth.protected_resource_metadata(settings, match["user"], match["wiki"])
    except (NotFound, InvalidInput) as exc:
        return Response(404, {"error": str(exc)})
    return Response(200, document, (("cache-control", "public, max-age=300"),))


def make_handler(settings: Settings, *, cold_path: bool = True) -> Handler:
    """The MCP Lambda handler for these settings.

    Args:
        settings: Data root, registry, keys, limits.
        cold_path: False sends every request to FastMCP instead, loaded on first use (the
            equivalence tests and the bench compare the two; needs the dev dependencies).
    """
    init = tracing.InitTimer("mcp")  # logs one JSON line per cold start (E-1)
    tracing.configure(settings, "wikibot-mcp")
    gate = Gatekeeper(settings, Authorizer(open_registry(settings), settings))
    init.mark("gate")
    cold = ColdPath.load()
    init.mark("cold_path")
    reference: list[Handler] = []

    def fastmcp() -> Handler:
        if not reference:
            from wikibot.mcp.app import FastMCPApp

            reference.append(FastMCPApp())
        return reference[0]

    def handler(event: dict, context: object) -> dict:
        """Serve one API Gateway event, or answer a warming ping."""
        if event.get("wikibot") == "warm":
            return {"warm": True}
        path = event.get("rawPath") or ""
        if path.startswith(oauth.WELL_KNOWN):
            found = metadata(settings, path)
            if found is not None:
                return found.result()
        admitted = gate.admit(event)
        if isinstance(admitted, Response):
            return admitted.result()
        incoming = Incoming(event, admitted.body, admitted.headers)
        message = cold.message(incoming)
        with bind(admitted.access, admitted.store):
            if message is not None:
                tool = cold.tool_name(message)
                if tool is not None:
                    try:
                        admitted.access.require(cold.permissions[tool])
                    except Forbidden as exc:
                        info = cold.server_info(message)
                        return tool_result(message, error_text(exc), error=True, server_info=info)
            if cold_path:
                return cold.respond(incoming)
            return fastmcp()(event, context)

    init.log()
    return tracing.traced_handler(handler)


def __getattr__(name: str) -> Handler:
    # Lambda's runtime resolves `handler` with getattr during INIT, so the build still runs there.
    if name == "handler":
        built = make_handler(from_env())
        globals()["handler"] = built
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
