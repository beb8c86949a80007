"""Lambda entry for the wiki function: the Otterwiki UI and git smart HTTP.

Why apig-wsgi: Otterwiki is a Flask (WSGI) app and API Gateway HTTP APIs send payload 2.0
events; apig-wsgi is the maintained WSGI adapter for both payload versions (Mangum speaks only
ASGI, and wrapping WSGI in an ASGI bridge would add a thread hop and an import for nothing). It
handles v2 cookies, base64 bodies and binary responses (attachments), and imports only the
standard library.

INIT stays small on purpose: importing this module loads no Flask, Otterwiki or dulwich code.
`library.install()` registers the lazy `otterwiki.server` and `otterwiki.gitstorage` stand-ins
(so GitPython is never imported), and the Otterwiki app boots on the first page request.

Routes: `/{user}/{wiki}.git/...` goes to `wikibot.githttp.make_app(settings)` (imported when
first needed; 404 while that module does not exist); everything else under `/{user}/{wiki}/`
to `wikibot.web.app.WebApp`. The warming ping `{"wikibot": "warm"}` returns at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from apig_wsgi import make_lambda_handler

from wikibot import tracing
from wikibot.settings import Settings, from_env
from wikibot.web import coldstart, library

GIT_PATH = re.compile(r"^/[^/]+/[^/]+\.git(/|$)")
Handler = Callable[[dict, Any], dict]


def _not_found(environ: dict, start_response: Any) -> list[bytes]:
    from wikibot.web import pages

    return pages.respond(start_response, 404, "Not found", "Git access is not available here.")


def _git_app(settings: Settings) -> Any:
    try:
        from wikibot import githttp
    except ImportError:
        return _not_found
    return githttp.make_app(settings)


def make_handler(settings: Settings) -> Handler:
    """Build the wiki Lambda's handler for these settings (cheap: apps are built on first use)."""
    init = tracing.InitTimer("wiki")  # logs one JSON line per cold start (E-1)
    tracing.configure(settings, "wikibot-wiki")
    library.install()  # Otterwiki's config is added when the app boots (otterwiki_boot.create)
    init.mark("library_install")
    apps: dict[str, Handler] = {}

    def lambda_for(kind: str) -> Handler:
        if kind not in apps:
            if kind == "git":
                wsgi = _git_app(settings)
            else:
                from wikibot.web.app import WebApp

                wsgi = WebApp(settings)
            adapter = make_lambda_handler(wsgi, binary_support=True)
            apps[kind] = tracing.traced("git.serve" if kind == "git" else "web.render")(adapter)
        return apps[kind]

    def handler(event: dict, context: Any) -> dict:
        if event.get("wikibot") == "warm":
            return {"warm": True}
        path = event.get("rawPath") or event.get("path") or "/"
        if GIT_PATH.match(path):
            return lambda_for("git")(event, context)
        if "web" in apps:
            return apps["web"](event, context)
        # The first page view boots Otterwiki: see coldstart.py and regex_cache.py.
        from wikibot.web import otterwiki_boot, regex_cache

        regexes = otterwiki_boot.cache_folder(settings, "otterwiki")
        with coldstart.collector_paused(), regex_cache.kept(regexes):
            return lambda_for("web")(event, context)

    init.log()
    return tracing.traced_handler(handler)


def __getattr__(name: str) -> Any:
    # Lambda's runtime resolves `handler` with getattr during INIT, so the build still runs there;
    # `wikibot dev` and tests import `make_handler` without building one from the environment.
    if name == "handler":
        built = make_handler(from_env())
        globals()["handler"] = built
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
