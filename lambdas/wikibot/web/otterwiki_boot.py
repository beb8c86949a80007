"""Build Otterwiki's app in library mode for wikibot, and bind it to one wiki per request."""

from __future__ import annotations

import hashlib
import secrets
import tempfile
from pathlib import Path
from typing import Any

from wikibot.settings import Settings
from wikibot.web import coldstart, hooks, library, minidb


def otterwiki_config(settings: Settings) -> dict[str, Any]:
    """Otterwiki settings for platform mode (everything else keeps Otterwiki's defaults)."""
    seed = settings.session_key or settings.token_key or secrets.token_hex(32)
    return {
        # Signs Otterwiki's UI cookie (CSRF token, toasts); derived so it is never the session key.
        "SECRET_KEY": hashlib.sha256(b"wikibot-otterwiki-ui:" + seed.encode()).hexdigest(),
        "AUTH_METHOD": "PROXY_HEADER",
        "REPOSITORY": tempfile.gettempdir(),
        "DISABLE_REGISTRATION": True,
        "GIT_WEB_SERVER": False,
        "RETAIN_PAGE_NAME_CASE": False,
        "SESSION_COOKIE_NAME": "wikibot_ui",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": settings.public_url.startswith("https://"),
        "MAX_CONTENT_LENGTH": settings.limits.max_request_bytes,
    }


class OtterwikiApp:
    """Otterwiki's Flask app plus `wikibot_bind`/`wikibot_unbind` around each request."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.app = server.app
        self.base_config = dict(self.app.config)

    def wikibot_bind(self, ctx: Any, wiki: Any) -> None:
        """Point storage, tables and config at one wiki for the coming request."""
        ctx.storage.refresh()
        self.server.storage.bind(ctx.storage)
        minidb.bind(ctx.tables)
        config = self.app.config
        config.clear()
        config.update(self.base_config)
        config["SITE_NAME"] = getattr(wiki, "title", "") or f"{wiki.owner}/{wiki.slug}"
        self.server.update_app_config()  # Otterwiki's: the wiki's saved preferences win

    def wikibot_unbind(self) -> None:
        """Forget the wiki (nothing of one tenant leaks into the next request)."""
        self.server.storage.bind(None)
        minidb.bind(None)

    def __call__(self, environ: dict, start_response: Any) -> Any:
        """Serve one WSGI request (bound by the caller)."""
        return self.app(environ, start_response)


_booted: list[OtterwikiApp] = []


def cache_folder(settings: Settings, name: str) -> Path | None:
    """A folder under the data root shared by every cold start (None when it is read-only)."""
    folder = settings.data_root / ".cache" / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder


def _template_bytecode_cache(app: Any, settings: Settings) -> None:
    """Keep Otterwiki's compiled templates in the data folder, shared by every cold start.

    Compiling page.html and its includes costs a cold start more than rendering; Jinja's file
    cache writes atomically and checks the source checksum, so a stale or foreign entry is
    recompiled, never used. (A ModuleLoader of templates precompiled into the package would
    save reading the sources, ~3 ms: not worth a build step; decision 0014.)
    """
    from jinja2 import FileSystemBytecodeCache

    folder = cache_folder(settings, "jinja")
    if folder is not None:  # else templates compile per process
        app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(folder))


def create(settings: Settings) -> OtterwikiApp:
    """Boot Otterwiki once per process with wikibot's hooks and return the bound app.

    Otterwiki's app is a process global: later calls (another `WebApp` in the same process)
    get the same app, configured by the first call's settings.
    """
    if not _booted:
        with coldstart.collector_paused():
            server = library.install(otterwiki_config(settings))
            coldstart.defer_unused_modules()
            cache = cache_folder(settings, "otterwiki")
            with coldstart.plugin_scan_remembered(cache):
                library.boot(cache)
            coldstart.lazy_url_builders(server.app)
            hooks.install(server.app, server.storage)
            _template_bytecode_cache(server.app, settings)
            library.import_views()
            hooks.install_view_wrappers(server.app)
            coldstart.attach_deferred_modules()
            _booted.append(OtterwikiApp(server))
    return _booted[0]
