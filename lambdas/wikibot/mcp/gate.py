"""The MCP door's gate, at the level of API Gateway events: route, credential, size, store.

Both paths behind it (the cold path in `mcp/fast` and FastMCP in `mcp/app.py`) see only requests
that passed here, so refusals are the same whichever path would have answered. Nothing here
imports fastmcp, mcp, pydantic or starlette.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass

from wikibot.auth import oauth
from wikibot.auth.access import Access, Authorizer, bearer
from wikibot.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from wikibot.settings import Settings
from wikibot.store import WikiStore, wiki_path
from wikibot.store.cache import LRU

MCP_PATH = re.compile(r"/(?P<user>[^/]+)/(?P<wiki>[^/]+)/mcp/?")
# The MCP SDK answers larger bodies with a plain-text 413 of its own; refuse first, in JSON-RPC.
SDK_BODY_LIMIT = 4 * 1024 * 1024
# Open stores kept for warm invocations; a Lambda serving many tenants stays bounded.
MAX_OPEN_STORES = 64
INVALID_REQUEST = -32600


@dataclass(frozen=True)
class Response:
    """An answer in API Gateway's v2 result shape, built by `result()`."""

    status: int
    body: object
    headers: tuple[tuple[str, str], ...] = ()

    def result(self) -> dict:
        """The dict a Lambda handler returns for API Gateway (HTTP API, payload 2.0)."""
        data = "" if self.body is None else json.dumps(self.body)
        headers = {"content-type": "application/json"} if self.body is not None else {}
        headers.update(self.headers)
        return {
            "statusCode": self.status,
            "headers": headers,
            "body": data,
            "isBase64Encoded": False,
        }


@dataclass(frozen=True)
class Admitted:
    """A request that may reach an MCP path: who asks, for which wiki, with its body."""

    access: Access
    store: WikiStore
    body: bytes
    headers: dict[str, str]  # lower-case names, as `lower_headers` gives them


def event_body(event: dict) -> bytes:
    """The request body of an API Gateway event, decoded when it was sent base64."""
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(raw)
    return raw.encode("utf-8", "surrogatepass")


def lower_headers(event: dict) -> dict[str, str]:
    """Request headers with lower-case names (API Gateway v2 already lowers them)."""
    return {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}


class Gatekeeper:
    """Admits MCP requests: the wiki named by the path, the caller's access, a body that fits.

    Args:
        settings: Data root, limits and OAuth configuration.
        authorizer: Resolves a bearer credential for a wiki.
    """

    def __init__(self, settings: Settings, authorizer: Authorizer):
        self.settings = settings
        self.authorizer = authorizer
        self.max_body = min(settings.limits.max_request_bytes, SDK_BODY_LIMIT)
        self._stores: LRU[WikiStore] = LRU(MAX_OPEN_STORES)

    def store(self, user: str, wiki: str) -> WikiStore:
        """The store of one wiki, kept (up to `MAX_OPEN_STORES`) for warm invocations."""
        path = wiki_path(self.settings.data_root, user, wiki)
        return self._stores.get_or_make(
            f"{user}/{wiki}".encode(),
            lambda: WikiStore.open(path, limits=self.settings.limits),
        )

    def challenge(self, user: str, wiki: str, *, presented: bool) -> str:
        """The RFC 6750 `WWW-Authenticate` value for a 401 (`wikibot.auth.oauth.challenge`).

        `error` only when a credential was presented; RFC 9728 `resource_metadata` only when an
        OAuth authorization server is configured, so clients are never sent to a dead URL.
        """
        try:
            return oauth.challenge(self.settings, user, wiki, presented)
        except InvalidInput:  # a name no wiki can have: no metadata document to point to
            return 'Bearer realm="wikibot"' + (', error="invalid_token"' if presented else "")

    def admit(self, event: dict) -> Admitted | Response:
        """Admit one event, or the refusal to send: 404, 401, 403 or 413."""
        path = event.get("rawPath") or event.get("requestContext", {}).get("http", {}).get("path")
        match = MCP_PATH.fullmatch(path or "")
        if match is None:
            return Response(404, {"error": "Not found: MCP lives at /{user}/{wiki}/mcp"})
        user, wiki = match["user"], match["wiki"]
        headers = lower_headers(event)
        try:
            access = self.authorizer.resolve(bearer(headers.get("authorization")), user, wiki)
            store = self.store(user, wiki)
        except Unauthorized as exc:
            challenge = self.challenge(user, wiki, presented="authorization" in headers)
            return Response(401, {"error": str(exc)}, (("www-authenticate", challenge),))
        except Forbidden as exc:
            return Response(403, {"error": str(exc)})
        except (NotFound, InvalidInput) as exc:
            return Response(404, {"error": str(exc)})
        body = event_body(event)
        if len(body) > self.max_body:
            return too_large(len(body), self.max_body)
        return Admitted(access, store, body, headers)


def too_large(size: int, limit: int) -> Response:
    """HTTP 413 carrying a JSON-RPC error, so MCP clients show the reason."""
    message = (
        f"Request too large: {size:,} bytes; the limit is {limit:,} bytes per request. "
        "Send less per call (attachments: at most the documented attachment size)."
    )
    error = {"code": INVALID_REQUEST, "message": message}
    return Response(413, {"jsonrpc": "2.0", "id": None, "error": error})
