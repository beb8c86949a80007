"""What a tool needs from the request: the resolved access and that wiki's store.

The HTTP gate (mcp/app.py) resolves identity, wiki and role once per request and puts the
`Access` in the ASGI scope; tools only say which action they perform.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable
from typing import Any

from fastmcp.exceptions import ToolError
from fastmcp.server.dependencies import get_http_request

from wikibot.auth.access import Access
from wikibot.errors import (
    AlreadyExists,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooLarge,
    WikibotError,
)
from wikibot.store import Author, WikiStore

SCOPE_KEY = "wikibot.access"
STORE_KEY = "wikibot.store"

_LABELS = {
    Conflict: "Conflict",
    NotFound: "Not found",
    AlreadyExists: "Already exists",
    TooLarge: "Too large",
    InvalidInput: "Invalid input",
    Forbidden: "Forbidden",
}


def wiki(action: str) -> tuple[WikiStore, Author]:
    """The current wiki's store and the acting author, if the caller's role allows `action`."""
    scope = get_http_request().scope
    access: Access = scope[SCOPE_KEY]
    access.require(action)
    author = Author(access.name, access.email, "mcp")
    return scope[STORE_KEY], author


def decode_base64(data: str, what: str) -> bytes:
    """Strict base64 decoding with an error that says what to send."""
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f"{what} is not valid base64; encode the file bytes as base64.") from exc


def tool_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Map core errors to MCP tool errors whose text tells the agent what to do next."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except WikibotError as exc:
            label = next((v for k, v in _LABELS.items() if isinstance(exc, k)), "Error")
            raise ToolError(f"{label}: {exc}") from exc

    return wrapper
