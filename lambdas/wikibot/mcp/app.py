"""The MCP HTTP app: a gate that resolves access once, in front of FastMCP's stateless app.

URL: `/{user}/{wiki}/mcp`. The gate resolves the bearer token against that wiki (401/403 before
any tool runs), then hands FastMCP the request with the `Access` and the wiki's store in the scope.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from mangum import Mangum

from wikibot.auth.access import Authorizer, bearer
from wikibot.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from wikibot.mcp.context import SCOPE_KEY, STORE_KEY
from wikibot.mcp.server import create_server
from wikibot.registry import open_registry
from wikibot.settings import Settings
from wikibot.store import WikiStore, wiki_path

Scope = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]], Awaitable[None]
]

MCP_PATH = re.compile(r"/(?P<user>[^/]+)/(?P<wiki>[^/]+)/mcp/?")
INNER_PATH = "/mcp"


async def send_json(
    send: Callable[..., Awaitable[Any]],
    status: int,
    body: dict,
    headers: list[tuple[bytes, bytes]] = (),
) -> None:
    """Send a small JSON response from raw ASGI."""
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


class Gate:
    """ASGI middleware: `/{user}/{wiki}/mcp` -> resolved access -> FastMCP at `/mcp`."""

    def __init__(self, inner: ASGIApp, settings: Settings, authorizer: Authorizer):
        self.inner = inner
        self.settings = settings
        self.authorizer = authorizer
        self._stores: dict[str, WikiStore] = {}

    def store(self, user: str, wiki: str) -> WikiStore:
        """The store of one wiki, kept for warm invocations."""
        key = f"{user}/{wiki}"
        if key not in self._stores:
            path = wiki_path(self.settings.data_root, user, wiki)
            self._stores[key] = WikiStore.open(path, limits=self.settings.limits)
        return self._stores[key]

    def challenge(self, user: str, wiki: str, *, presented: bool) -> str:
        """The RFC 6750 `WWW-Authenticate` value for a 401.

        `error` only when a credential was presented; RFC 9728 `resource_metadata` only when an
        OAuth authorization server is configured, so clients are never sent to a dead URL.
        """
        parts = ['Bearer realm="wikibot"']
        if presented:
            parts.append('error="invalid_token"')
        if self.settings.authkit_domain:
            base = self.settings.public_url
            parts.append(
                f'resource_metadata="{base}/.well-known/oauth-protected-resource/{user}/{wiki}/mcp"'
            )
        return ", ".join(parts)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        """Resolve access for MCP requests; pass lifespan events straight through."""
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
        match = MCP_PATH.fullmatch(scope["path"])
        if match is None:
            return await send_json(
                send, 404, {"error": "Not found: MCP lives at /{user}/{wiki}/mcp"}
            )
        user, wiki = match["user"], match["wiki"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            access = self.authorizer.resolve(bearer(headers.get("authorization")), user, wiki)
            store = self.store(user, wiki)
        except Unauthorized as exc:
            challenge = self.challenge(user, wiki, presented="authorization" in headers)
            return await send_json(
                send, 401, {"error": str(exc)}, [(b"www-authenticate", challenge.encode())]
            )
        except Forbidden as exc:
            return await send_json(send, 403, {"error": str(exc)})
        except (NotFound, InvalidInput) as exc:
            return await send_json(send, 404, {"error": str(exc)})
        inner = dict(scope, path=INNER_PATH, raw_path=INNER_PATH.encode())
        inner[SCOPE_KEY] = access
        inner[STORE_KEY] = store
        await self.inner(inner, receive, send)


def create_app(settings: Settings) -> Gate:
    """The full MCP ASGI app for these settings."""
    mcp_app = create_server().http_app(
        path=INNER_PATH, stateless_http=True, json_response=True, host_origin_protection=False
    )
    return Gate(mcp_app, settings, Authorizer(open_registry(settings)))


def warm_up(gate: Gate) -> None:
    """Run one `tools/list` through FastMCP (behind the gate) so INIT pays its lazy costs."""
    body = '{"jsonrpc":"2.0","id":0,"method":"tools/list","params":{}}'
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": INNER_PATH,
        "rawQueryString": "",
        "headers": {
            "content-type": "application/json",
            "accept": "application/json, text/event-stream",
            "host": "localhost",
        },
        "requestContext": {
            "http": {
                "method": "POST",
                "path": INNER_PATH,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "wikibot-warm-up",
            },
            "requestId": "warm-up",
            "routeKey": "$default",
            "stage": "$default",
        },
        "body": body,
        "isBase64Encoded": False,
    }
    result = Mangum(gate.inner, lifespan="auto")(event, None)
    if result["statusCode"] != 200:
        raise RuntimeError(f"MCP warm-up failed: {result['body'][:200]}")
