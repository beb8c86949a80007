"""Lambda entry for the platform function (outside the VPC): sign-in, management API, JWKS sync.

`make_handler(settings)` builds the handler; the module attribute `handler` is built from the
environment on first access (PEP 562), during Lambda's INIT. Events:
- HTTP API v2 events for `/auth/*` (`wikibot.platform.signin`) and `/api/*`
  (`wikibot.platform.api`);
- `{"wikibot": "jwks"}` (terraform/modules/schedules), `{"wikibot": "jwks-sync"}` or an
  EventBridge scheduled event: store AuthKit's JWKS in the
  registry for the Lambdas without internet;
- `{"wikibot": "warm"}`: answered at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from wikibot.auth import Authorizer
from wikibot.auth.oauth import issuer
from wikibot.errors import WikibotError, http_status
from wikibot.platform import jwks
from wikibot.platform.api import Api
from wikibot.platform.http import Request, Response
from wikibot.platform.signin import SignIn
from wikibot.platform.workos import WorkOSAuth, credentials
from wikibot.registry import Registry, open_registry
from wikibot.settings import Settings, from_env

Handler = Callable[[dict, object], dict]
log = logging.getLogger("wikibot.platform")
STALE_AFTER = timedelta(hours=1)


def make_handler(settings: Settings) -> Handler:
    """The platform Lambda handler for these settings."""
    registry = open_registry(settings)
    workos = None
    if settings.workos_client_id or settings.workos_secret_arn:
        client_id, api_key = credentials(settings)
        workos = WorkOSAuth(client_id, api_key, settings.workos_api_url)
    authorizer = Authorizer(registry, settings)
    signin = SignIn(settings, registry, workos)
    register = workos.register_resource if workos is not None else None
    api = Api(settings, registry, authorizer, signin, register)
    if settings.authkit_domain:
        _sync_if_stale(settings, registry)

    def handler(event: dict, context: object) -> dict:
        """Serve one event."""
        if event.get("wikibot") == "warm":
            return {"warm": True}
        if event.get("wikibot") in ("jwks", "jwks-sync") or event.get("source") == "aws.events":
            return {"jwks_keys": jwks.sync(settings, registry)}
        request = Request.from_event(event)
        try:
            if request.path.startswith("/auth/"):
                response = signin.route(request)
            elif request.path.startswith("/api/"):
                response = api.route(request)
            else:
                response = Response.error(404, "The platform serves /auth/ and /api/ only.")
        except WikibotError as exc:
            response = Response.error(http_status(exc), str(exc))
        except Exception:
            log.exception("platform request failed: %s %s", request.method, request.path)
            response = Response.error(500, "Internal error; try again, then tell the operator.")
        return response.result()

    return handler


def _sync_if_stale(settings: Settings, registry: Registry) -> None:
    """At INIT, fill an empty or hour-old JWKS cache so the first AuthKit token has its key."""
    cached = registry.get_jwks(issuer(settings))
    fresh = cached is not None and cached.fetched_at is not None
    if fresh and datetime.now(UTC) - cached.fetched_at < STALE_AFTER:
        return
    try:
        jwks.sync(settings, registry)
    except Exception:  # noqa: BLE001 - AuthKit down must not stop sign-in or the API
        log.warning("JWKS sync at INIT failed; the schedule will retry", exc_info=True)


def __getattr__(name: str) -> Handler:
    # Lambda's runtime resolves `handler` with getattr during INIT, so the build runs there.
    if name == "handler":
        built = make_handler(from_env())
        globals()["handler"] = built
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
