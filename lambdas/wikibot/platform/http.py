"""A small request/response pair over API Gateway HTTP API (payload 2.0) events.

The platform Lambda's routes are few and JSON/redirect only, so a framework is not worth its
cold start; this module is the whole adapter.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, unquote

from wikibot.errors import InvalidInput


@dataclass
class Request:
    """What the platform routes need from an event."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    cookies: dict[str, str]
    body: bytes

    @classmethod
    def from_event(cls, event: dict) -> Request:
        """Parse an API Gateway v2 event (cookies arrive in their own list there)."""
        http = event.get("requestContext", {}).get("http", {})
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        jar = SimpleCookie()
        for raw in event.get("cookies") or []:
            try:
                jar.load(raw)
            except Exception:  # noqa: BLE001 - one malformed cookie must not fail the request
                continue
        body = event.get("body") or ""
        data = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
        return cls(
            method=(http.get("method") or "GET").upper(),
            path=unquote(event.get("rawPath") or http.get("path") or "/"),
            query=dict(parse_qsl(event.get("rawQueryString") or "", keep_blank_values=True)),
            headers=headers,
            cookies={k: m.value for k, m in jar.items()},
            body=data,
        )

    def json(self) -> dict:
        """The body as a JSON object.

        Raises:
            InvalidInput: Not `application/json`, or not a JSON object. Requiring the JSON
                content type also keeps cross-site HTML forms from posting here.
        """
        media = self.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != "application/json":
            raise InvalidInput("Send the body as JSON with 'content-type: application/json'.")
        try:
            value = json.loads(self.body or b"{}")
        except ValueError as exc:
            raise InvalidInput(f"The body is not valid JSON ({exc}).") from exc
        if not isinstance(value, dict):
            raise InvalidInput("The body must be a JSON object.")
        return value

    def form(self) -> dict[str, str]:
        """An `application/x-www-form-urlencoded` body."""
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))


@dataclass
class Response:
    """A response; `result()` turns it into what API Gateway expects back."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)

    @classmethod
    def json(cls, status: int, data: object, **headers: str) -> Response:
        """A JSON response."""
        body = json.dumps(data, default=str).encode()
        return cls(status, body, {"content-type": "application/json", **headers})

    @classmethod
    def error(cls, status: int, message: str) -> Response:
        """A JSON error whose text says what to do next."""
        return cls.json(status, {"error": message})

    @classmethod
    def redirect(cls, location: str) -> Response:
        """A 302 to `location` (already validated by the caller)."""
        return cls(302, b"", {"location": location, "cache-control": "no-store"})

    @classmethod
    def html(cls, status: int, text: str) -> Response:
        """A small HTML page."""
        return cls(status, text.encode(), {"content-type": "text/html; charset=utf-8"})

    def result(self) -> dict:
        """The API Gateway v2 result dict (cookies as their own list)."""
        out: dict = {
            "statusCode": self.status,
            "headers": {"cache-control": "no-store", **self.headers},
            "body": self.body.decode("utf-8"),
            "isBase64Encoded": False,
        }
        if self.cookies:
            out["cookies"] = list(self.cookies)
        return out


def cookie(
    name: str, value: str, *, max_age: int, secure: bool, http_only: bool = True, path: str = "/"
) -> str:
    """A `Set-Cookie` value: SameSite=Lax, HttpOnly by default, Secure when asked.

    Lax cookies ride on top-level navigations but not on cross-site POSTs.
    """
    parts = [f"{name}={value}", f"Path={path}", f"Max-Age={max_age}", "SameSite=Lax"]
    if http_only:
        parts.append("HttpOnly")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)
