"""The wiki web app (WSGI): `/{user}/{wiki}/...` -> access -> Otterwiki bound to that wiki.

Per request: resolve the caller (the `wikibot_session` cookie, or a bearer token) into an
`Access`; strip every client `x-otterwiki-*` header and set Otterwiki's proxy headers from the
Access; point the storage proxy and the tables at the wiki; apply the wiki's preferences; run
Otterwiki with `SCRIPT_NAME=/{user}/{wiki}` so its `url_for` builds prefixed URLs. Otterwiki's
app and config are process globals, so requests run one at a time per process (a Lambda runs
one anyway).

Cache headers (for CloudFront and browsers): static assets `public, max-age=31536000,
immutable` (the URL carries Otterwiki's version); page HTML `private, max-age=30` (`public` only
for an anonymous reader of a public wiki); editor, previews, drafts, errors and every non-GET
`no-store`. A save redirects to the page with `?rev=` the new revision so the browser does not
show its cached copy of the old page.
"""

from __future__ import annotations

import mimetypes
import tempfile
import threading
from pathlib import Path
from typing import Any

from wikibot.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from wikibot.layout import validate_slug, wiki_path
from wikibot.settings import Settings
from wikibot.web import pages

STATIC_CACHE = "public, max-age=31536000, immutable"
# Otterwiki's static files are not in the Lambda: CloudFront serves them from S3 (`wikibot dev`
# from the installed package, wikibot.local.routes) at one versioned path for every wiki, which
# tools/release uploads (decision 0013). `_` cannot start a user id, so no wiki lives there.
STATIC_ROOT = "/_static"
PAGE_MAX_AGE = 30
SESSION_COOKIE = "wikibot_session"
READ_ONLY_POSTS = ("/-/search",)  # Otterwiki's search form posts; it only reads
SIGN_IN_TO_WRITE = "Anyone can read this wiki; sign in to change it (as an editor the owner added)."


class WikiContext:
    """What one wiki keeps between requests in this process: its storage and UI tables."""

    def __init__(self, settings: Settings, user: str, wiki: str, on_change: Any) -> None:
        from wikibot.web.headings import Headings
        from wikibot.web.minidb import Tables
        from wikibot.web.sidebar_cache import SidebarTrees
        from wikibot.web.storage import open_storage

        repo = wiki_path(settings.data_root, user, wiki)
        scratch = Path(tempfile.gettempdir()) / "wikibot-web" / user / wiki
        self.storage = open_storage(repo, scratch, on_change, settings.limits)
        self.tables = Tables(repo.parent / "ui.json")
        self.storage.headings = Headings(repo.parent / "ui-headings.json")
        self.storage.sidebar = SidebarTrees(repo.parent / "ui-sidebar.json")


class WebApp:
    """WSGI app for every wiki under one data root.

    Args:
        settings: wikibot settings (data root, registry, keys).
        registry: Users and wikis (default: opened from settings on first use).
    """

    def __init__(self, settings: Settings, registry: Any = None) -> None:
        self.settings = settings
        self._registry = registry
        self._authorizer: Any = None
        self._contexts: dict[str, WikiContext] = {}
        self._lock = threading.Lock()
        self._otterwiki: Any = None
        self._static = None

    # -- collaborators, built on first use ------------------------------------------------------

    @property
    def authorizer(self) -> Any:
        """The tenancy layer's Authorizer."""
        if self._authorizer is None:
            from wikibot.auth.access import Authorizer
            from wikibot.registry import open_registry

            self._registry = self._registry or open_registry(self.settings)
            self._authorizer = Authorizer(self._registry, self.settings)
        return self._authorizer

    def otterwiki(self) -> Any:
        """Otterwiki's Flask app in library mode (booted on the first page request)."""
        if self._otterwiki is None:
            from wikibot.web import otterwiki_boot

            self._otterwiki = otterwiki_boot.create(self.settings)
            _serve_static_from_cdn(self._otterwiki.app)
        return self._otterwiki

    def context(self, user: str, wiki: str) -> WikiContext:
        """The storage and tables of one wiki (kept for warm requests)."""
        key = f"{user}/{wiki}"
        if key not in self._contexts:
            self._contexts[key] = WikiContext(self.settings, user, wiki, self._on_change)
        return self._contexts[key]

    def _on_change(self, paths: list[str]) -> None:
        from otterwiki.plugins import plugin_manager

        plugin_manager.hook.repository_changed(changed_files=paths)

    # -- WSGI ---------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Any) -> Any:
        """Route one request."""
        path = environ.get("PATH_INFO", "") or "/"
        parts = path.split("/", 3)
        if len(parts) < 3 or not parts[1] or not parts[2]:
            return pages.respond(start_response, 404, "Not found", "Wikis live at /{user}/{wiki}/.")
        user, wiki = parts[1], parts[2]
        rest = "/" + parts[3] if len(parts) > 3 else ""
        try:
            validate_slug("user", user)
            validate_slug("wiki", wiki)
        except InvalidInput:
            return pages.respond(start_response, 404, "Not found", "No such wiki.")
        if not rest:
            query = environ.get("QUERY_STRING", "")
            return pages.redirect(
                start_response, f"/{user}/{wiki}/" + (f"?{query}" if query else "")
            )
        if rest.startswith("/static/"):
            return self._static_file(start_response, rest[len("/static/") :])
        try:
            access, record = self._access(environ, user, wiki)
        except Unauthorized as exc:
            return pages.sign_in(start_response, str(exc), f"/{user}/{wiki}{rest}")
        except Forbidden as exc:
            return pages.respond(start_response, 403, "Forbidden", str(exc))
        except NotFound:
            return pages.respond(start_response, 404, "Not found", "No such wiki.")
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD") and not access.allows(
            "write"
        ):
            if not rest.startswith(READ_ONLY_POSTS):
                if getattr(access, "anonymous", False):  # a public wiki's reader: sign in first
                    return pages.sign_in(start_response, SIGN_IN_TO_WRITE, f"/{user}/{wiki}/")
                return pages.respond(start_response, 403, "Forbidden", _read_only(access))
        return self._otterwiki_request(environ, start_response, access, record, rest)

    def _access(self, environ: dict, user: str, wiki: str) -> Any:
        registry_wiki = self._wiki(user, wiki)
        authz = self.authorizer
        auth_header = environ.get("HTTP_AUTHORIZATION", "")
        if auth_header.lower().startswith("bearer "):
            access = authz.resolve(auth_header[7:].strip() or None, user, wiki)
        else:
            access = authz.resolve_session(_cookie(environ, SESSION_COOKIE), user, wiki)
        return access, registry_wiki

    def _wiki(self, user: str, wiki: str) -> Any:
        self.authorizer  # noqa: B018 - opens the registry
        return self._registry.get_wiki(user, wiki)

    def _static_file(self, start_response: Any, name: str) -> Any:
        if self._static is None:
            from wikibot.web.library import otterwiki_dir

            self._static = (otterwiki_dir() / "static").resolve()
        target = (self._static / name).resolve()
        if not target.is_relative_to(self._static) or not target.is_file():
            return pages.respond(start_response, 404, "Not found", "No such file.")
        data = target.read_bytes()
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        start_response(
            "200 OK",
            [
                ("Content-Type", ctype),
                ("Content-Length", str(len(data))),
                ("Cache-Control", STATIC_CACHE),
            ],
        )
        return [data]

    def _otterwiki_request(
        self, environ: dict, start_response: Any, access: Any, record: Any, rest: str
    ) -> Any:
        user, wiki = record.owner, record.slug
        inner = {k: v for k, v in environ.items() if not k.startswith("HTTP_X_OTTERWIKI_")}
        anonymous = getattr(access, "anonymous", False)
        inner.update(
            SCRIPT_NAME=f"/{user}/{wiki}",
            PATH_INFO=rest,
            # environ values never cross the wire, so a non-ASCII name needs no encoding
            HTTP_X_OTTERWIKI_NAME="Anonymous" if anonymous else access.name,
            HTTP_X_OTTERWIKI_EMAIL=access.email or "anonymous@users.wikibot",
            HTTP_X_OTTERWIKI_PERMISSIONS=access.otterwiki_permissions,
        )
        inner["wikibot.anonymous"] = anonymous  # wikibot.web.hooks: their settings link signs in
        app = self.otterwiki()
        status_headers: list = []

        def capture(status: str, headers: list, exc_info: Any = None) -> Any:
            status_headers[:] = [status, headers]
            return lambda data: None

        with self._lock:
            ctx = self.context(user, wiki)
            app.wikibot_bind(ctx, record)
            try:
                result = app(inner, capture)
                body = b"".join(result)
                if hasattr(result, "close"):
                    result.close()
                head = ctx.storage.head
            finally:
                app.wikibot_unbind()
            ctx.storage.headings.flush()
            ctx.storage.sidebar.flush()
        status, headers = status_headers
        if anonymous and status.startswith("403"):
            # Otterwiki refuses what READ does not allow (editor, rename, settings): offer the
            # platform's sign-in, never Otterwiki's login page (switched off in platform mode).
            query = environ.get("QUERY_STRING", "")
            back = f"/{user}/{wiki}{rest}" + (f"?{query}" if query else "")
            return pages.sign_in(start_response, SIGN_IN_TO_WRITE, back)
        headers = _cache_headers(
            environ, status, headers, anonymous and getattr(record, "public", False), head
        )
        start_response(status, headers)
        return [body]


def static_base(version: str) -> str:
    """The URL path of one Otterwiki version's static files, e.g. /_static/otterwiki-2.26.1."""
    return f"{STATIC_ROOT}/otterwiki-{version}"


def _serve_static_from_cdn(app: Any) -> None:
    """Make `url_for("static", filename=...)` point at the shared, versioned static path.

    Flask would build `/{user}/{wiki}/static/...` under SCRIPT_NAME (one copy per wiki, through
    the Lambda). Every other endpoint builds as before.
    """
    from urllib.parse import quote, urlencode

    import otterwiki
    from flask import request

    base = static_base(otterwiki.__version__)
    build = app.url_for

    def url_for(endpoint: str, *, _external: bool = False, **values: Any) -> str:
        if endpoint != "static":
            return build(endpoint, _external=_external, **values)
        query = {k: v for k, v in values.items() if not k.startswith("_") and k != "filename"}
        url = f"{base}/{quote(values['filename'], safe='/@')}"
        url += f"?{urlencode(query)}" if query else ""
        return request.host_url[:-1] + url if _external else url  # host_url ends with "/"

    app.url_for = url_for  # what flask.url_for calls
    app.jinja_env.globals["url_for"] = url_for  # templates hold the method bound at boot


def _read_only(access: Any) -> str:
    return (
        f"Your role on {access.wiki_owner}/{access.wiki_slug} is {access.role!r}: you can read "
        "this wiki but not change it. Ask the wiki's owner for the editor role."
    )


def _cache_headers(
    environ: dict, status: str, headers: list, public: bool, head: bytes | None
) -> list:
    """Set Cache-Control by what the response is (see module docstring)."""
    method = environ.get("REQUEST_METHOD", "GET")
    out = [(k, v) for k, v in headers if k.lower() != "cache-control"]
    given = {k.lower(): v for k, v in headers}
    code = int(status.split(" ", 1)[0])
    given_cache = given.get("cache-control", "")
    scope = "public" if public else "private"
    if method not in ("GET", "HEAD") or code != 200 or "no-store" in given_cache:
        value = "no-store"
        if method == "POST" and code in (302, 303) and "location" in given and head:
            out = [(k, _bust(v, head) if k.lower() == "location" else v) for k, v in out]
    elif "immutable" in given_cache:
        value = f"{scope}, max-age=604800, immutable"  # an attachment at a fixed revision
    else:
        value = f"{scope}, max-age={PAGE_MAX_AGE}"
        out.append(("Vary", "Cookie, Authorization"))
    out.append(("Cache-Control", value))
    return out


def _bust(location: str, head: bytes) -> str:
    """Send the browser after a write to a URL it has not cached (`?rev=` the new head)."""
    if "?" in location or "#" in location:
        return location
    return f"{location}?rev={head.decode()[:8]}"


def _cookie(environ: dict, name: str) -> str | None:
    for part in environ.get("HTTP_COOKIE", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value or None
    return None
