"""Lambda entry for the MCP function: API Gateway (HTTP API v2) events.

`make_handler(settings)` builds the handler; the Lambda runtime reads the module attribute
`handler`, built from the environment on first access (PEP 562). Lambda resolves it during INIT,
so INIT still pays for it, while `wikibot dev`, tests and the bench can import `make_handler`
without building a second handler from whatever the environment holds.

Every request passes the gate (route, credential, body size) and, for a tool call, the tool's
permission. The cold path (`mcp/fast`) then answers the stateless methods from the manifest;
anything else goes to FastMCP, imported on first need (~0.8 s), so INIT loads neither. The
EventBridge warming ping (`{"wikibot": "warm"}`) is answered at once.
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
from wikibot.mcp.fast.path import ColdPath, Message, tool_result
from wikibot.mcp.gate import Gatekeeper, Response, lower_headers
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


def describe(event: dict, message: Message | None) -> str:
    """A short, secret-free description of a request for the fallback log line."""
    if message is not None:
        return f"{message.method} params={sorted(message.params)}"
    http = (event.get("requestContext") or {}).get("http") or {}
    version = lower_headers(event).get("mcp-protocol-version", "-")
    return f"{http.get('method', '?')} (not a message the cold path takes; protocol {version})"


def make_handler(settings: Settings, *, cold_path: bool = True) -> Handler:
    """The MCP Lambda handler for these settings.

    Args:
        settings: Data root, registry, keys, limits.
        cold_path: False sends every request to FastMCP (the equivalence test and the bench
            compare the two paths).
    """
    init = tracing.InitTimer("mcp")  # logs one JSON line per cold start (E-1)
    tracing.configure(settings, "wikibot-mcp")
    gate = Gatekeeper(settings, Authorizer(open_registry(settings), settings))
    init.mark("gate")
    cold = ColdPath.load()
    init.mark("cold_path")
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
        path = event.get("rawPath") or ""
        if path.startswith(oauth.WELL_KNOWN):
            found = metadata(settings, path)
            if found is not None:
                return found.result()
        admitted = gate.admit(event)
        if isinstance(admitted, Response):
            return admitted.result()
        message = cold.message(event, admitted.body)
        with bind(admitted.access, admitted.store):
            if message is not None:
                tool = cold.tool_name(message)
                if tool is not None:
                    try:
                        admitted.access.require(cold.permissions[tool])
                    except Forbidden as exc:
                        info = cold.server_info(message)
                        return tool_result(message, error_text(exc), error=True, server_info=info)
                answer = cold.answer(message) if cold_path else None
                if answer is not None:
                    return answer
            # Logged so a fallback on the hot path (which costs FastMCP's import) is visible.
            log.info("FastMCP answers %s", describe(event, message))
            return full_server()(event, context)

    init.log()
    return tracing.traced_handler(handler)


def __getattr__(name: str) -> Handler:
    # Lambda's runtime resolves `handler` with getattr during INIT, so the build still runs there.
    if name == "handler":
        built = make_handler(from_env())
        globals()["handler"] = built
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
