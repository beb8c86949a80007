"""What a tool needs from the request: the resolved access and that wiki's store.

The gate (mcp/app.py for FastMCP, mcp/fast for the cold path) resolves identity, wiki and role
once per request and binds them with `bind`; tools only say which action they perform. A
contextvar carries them, so tools work the same under FastMCP (whose tasks and worker threads
copy the context) and under the cold path, which imports no fastmcp at all.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Request:
    """One MCP request's resolved access and the store of the wiki it names."""

    access: Access
    store: WikiStore


_current: ContextVar[Request | None] = ContextVar("wikibot_mcp_request", default=None)

_LABELS = {
    Conflict: "Conflict",
    NotFound: "Not found",
    AlreadyExists: "Already exists",
    TooLarge: "Too large",
    InvalidInput: "Invalid input",
    Forbidden: "Forbidden",
}


@contextmanager
def bind(access: Access, store: WikiStore) -> Iterator[Request]:
    """Make `access` and `store` the current request's for the duration of the block."""
    request = Request(access, store)
    token = _current.set(request)
    try:
        yield request
    finally:
        _current.reset(token)


def wiki(action: str) -> tuple[WikiStore, Author]:
    """The current wiki's store and the acting author, if the caller's role allows `action`."""
    request = _current.get()
    if request is None:
        raise RuntimeError("No MCP request is bound; tools run only behind the gate.")
    request.access.require(action)
    author = Author(request.access.name, request.access.email, "mcp")
    return request.store, author


def decode_base64(data: str, what: str) -> bytes:
    """Strict base64 decoding with an error that says what to send."""
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(f"{what} is not valid base64; encode the file bytes as base64.") from exc


def error_text(exc: WikibotError) -> str:
    """The tool-error text for a core error: a label the agent can act on, then the message."""
    label = next((v for k, v in _LABELS.items() if isinstance(exc, k)), "Error")
    return f"{label}: {exc}"
