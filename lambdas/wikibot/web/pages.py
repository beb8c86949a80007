"""Small HTML answers the web app gives before Otterwiki is involved (404, 401, 403, redirects).

They never include a traceback or anything about the server; they say what to do next.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

REASONS = {
    301: "Moved Permanently",
    308: "Permanent Redirect",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    500: "Internal Server Error",
}


def _html(title: str, message: str, extra: str = "") -> bytes:
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f"<title>{escape(title)} - wikibot</title></head><body>"
        f"<h1>{escape(title)}</h1><p>{escape(message)}</p>{extra}</body></html>"
    ).encode()


def respond(
    start_response: Any,
    code: int,
    title: str,
    message: str,
    extra: str = "",
    headers: list | None = None,
) -> list[bytes]:
    """An HTML page with a status code; never cached."""
    body = _html(title, message, extra)
    start_response(
        f"{code} {REASONS.get(code, title)}",
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            *(headers or []),
        ],
    )
    return [body]


def sign_in(start_response: Any, message: str, next_path: str) -> list[bytes]:
    """401 with a link to the platform's sign-in page that returns here."""
    url = "/auth/login?next=" + quote(next_path, safe="/")
    link = f'<p><a href="{escape(url)}">Sign in</a></p>'
    return respond(start_response, 401, "Sign in required", message, link)


def redirect(start_response: Any, location: str) -> list[bytes]:
    """A permanent redirect (e.g. `/{user}/{wiki}` -> `/{user}/{wiki}/`)."""
    start_response(
        "308 Permanent Redirect",
        [("Location", location), ("Content-Length", "0"), ("Cache-Control", "no-store")],
    )
    return [b""]
