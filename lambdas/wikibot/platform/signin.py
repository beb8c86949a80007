"""Web sign-in: `/auth/login` -> AuthKit -> `/auth/callback` -> our session cookie; `/auth/logout`.

The session cookie (`wikibot_session`, HS256, `wikibot.auth.session`) is what the CloudFront
Function and the wiki Lambda check. It is HttpOnly, SameSite=Lax, Secure unless the site is
plain http on loopback, short-lived, and renewed by the management API while in use.

`next` (where to land after sign-in) must be a path on this site: it starts with one `/`, has
no scheme, host, backslash or control character; anything else becomes `/`, so sign-in cannot
be used as an open redirect. The OAuth `state` is a signed, ten-minute token bound to a nonce
cookie, so a callback cannot be replayed into another browser.

Local mode (`wikibot dev` without WorkOS, public URL on loopback): `/auth/dev-login` signs in a
local user by name through the same session code, instead of AuthKit.
"""

from __future__ import annotations

import html
import re
import secrets
import time
from urllib.parse import urlencode, urlparse

import jwt

from wikibot.auth import session
from wikibot.errors import AlreadyExists, InvalidInput, NotFound, Unauthorized
from wikibot.platform.http import Request, Response, cookie
from wikibot.platform.workos import SignedIn, WorkOSAuth
from wikibot.registry.base import RESERVED_USER_IDS, Registry, User, validate_slug
from wikibot.settings import Settings

NONCE_COOKIE = "wikibot_signin"
STATE_TTL = 600
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
WORKOS = "workos"
LOCAL = "local"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_next(value: str | None) -> str:
    """A same-site path to land on after sign-in; anything else becomes `/`."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if _CONTROL.search(value):
        return "/"
    parsed = urlparse(value)
    if parsed.scheme or parsed.netloc:
        return "/"
    return value


def is_local(settings: Settings) -> bool:
    """Local sign-in is on only without WorkOS and with a loopback public URL."""
    host = urlparse(settings.public_url).hostname or ""
    return not settings.workos_client_id and host in LOOPBACK


def secure_cookies(settings: Settings) -> bool:
    """Cookies are Secure except for plain-http local runs."""
    return urlparse(settings.public_url).scheme != "http"


class SignIn:
    """The `/auth/*` routes.

    Args:
        settings: Public URL, session key and lifetime, WorkOS configuration.
        registry: Users.
        workos: The WorkOS adapter, or None when WorkOS is not configured.
    """

    def __init__(self, settings: Settings, registry: Registry, workos: WorkOSAuth | None) -> None:
        self.settings = settings
        self.registry = registry
        self.workos = workos

    def route(self, request: Request) -> Response:
        """Dispatch one `/auth/...` request."""
        action = request.path.removeprefix("/auth/").strip("/")
        if action == "login":
            return self.login(request)
        if action == "callback":
            return self.callback(request)
        if action == "logout":
            return self.logout(request)
        if action == "dev-login":
            return self.dev_login(request)
        return Response.error(404, "Not found: sign in at /auth/login.")

    # -- cookies -----------------------------------------------------------------------------

    def session_cookie(self, user_id: str) -> str:
        """A fresh `wikibot_session` cookie for a user."""
        ttl = self.settings.session_ttl_seconds
        token = session.mint(user_id, self.settings.session_key, ttl_seconds=ttl)
        return cookie(session.COOKIE_NAME, token, max_age=ttl, secure=secure_cookies(self.settings))

    def _clear(self, name: str) -> str:
        return cookie(name, "", max_age=0, secure=secure_cookies(self.settings))

    # -- routes ------------------------------------------------------------------------------

    def login(self, request: Request) -> Response:
        """Send the browser to AuthKit (or to the local sign-in)."""
        target = safe_next(request.query.get("next"))
        if self.workos is None:
            if is_local(self.settings):
                return Response.redirect("/auth/dev-login?" + urlencode({"next": target}))
            return Response.error(503, "Sign-in is not configured (no WorkOS client id).")
        nonce = secrets.token_urlsafe(16)
        state = jwt.encode(
            {"next": target, "nonce": nonce, "exp": int(time.time()) + STATE_TTL},
            self.settings.session_key,
            algorithm="HS256",
        )
        url = self.workos.authorization_url(f"{self.settings.public_url}/auth/callback", state)
        response = Response.redirect(url)
        response.cookies.append(
            cookie(NONCE_COOKIE, nonce, max_age=STATE_TTL, secure=secure_cookies(self.settings))
        )
        return response

    def callback(self, request: Request) -> Response:
        """Exchange AuthKit's code, create or update the user, set the session cookie."""
        if self.workos is None:
            return Response.error(404, "WorkOS sign-in is not configured here.")
        if "error" in request.query:
            return Response.error(400, f"Sign-in was cancelled ({request.query['error']}).")
        try:
            state = jwt.decode(
                request.query.get("state", ""), self.settings.session_key, algorithms=["HS256"]
            )
        except jwt.InvalidTokenError:
            return Response.error(400, "Sign-in expired or was tampered with; start again.")
        if not secrets.compare_digest(
            str(state.get("nonce", "")), request.cookies.get(NONCE_COOKIE, "")
        ):
            return Response.error(400, "Sign-in was started in another browser; start again.")
        try:
            signed_in = self.workos.authenticate(request.query.get("code", ""))
        except Unauthorized as exc:
            return Response.error(401, str(exc))
        user = upsert_user(self.registry, signed_in)
        response = Response.redirect(safe_next(state.get("next")))
        response.cookies += [self.session_cookie(user.id), self._clear(NONCE_COOKIE)]
        return response

    def logout(self, request: Request) -> Response:
        """Forget the session cookie."""
        response = Response.redirect(safe_next(request.query.get("next")))
        response.cookies.append(self._clear(session.COOKIE_NAME))
        return response

    def dev_login(self, request: Request) -> Response:
        """Local sign-in by user name (local mode only): a form, and its POST."""
        if not is_local(self.settings):
            return Response.error(404, "Local sign-in exists only in `wikibot dev`.")
        if request.method != "POST":
            target = html.escape(safe_next(request.query.get("next")))
            return Response.html(
                200,
                "<!doctype html><title>wikibot dev sign-in</title>"
                '<form method="post"><label>User <input name="user" value="dev"></label>'
                f'<input type="hidden" name="next" value="{target}">'
                "<button>Sign in</button></form>",
            )
        form = request.form()
        user_id = form.get("user", "").strip().lower()
        try:
            validate_slug("user id", user_id)
        except InvalidInput as exc:
            return Response.error(400, str(exc))
        try:
            user = self.registry.get_user(user_id)
        except NotFound:
            user = self.registry.create_user(user_id, provider=LOCAL, subject=user_id)
        response = Response.redirect(safe_next(form.get("next")))
        response.cookies.append(self.session_cookie(user.id))
        return response


def upsert_user(registry: Registry, signed_in: SignedIn) -> User:
    """The wikibot user for a WorkOS subject: updated if known, else created with a new id."""
    user = registry.find_user_by_subject(WORKOS, signed_in.subject)
    if user is not None:
        if (user.email, user.name) != (signed_in.email, signed_in.name):
            taken = registry.find_user_by_email(signed_in.email)
            email = signed_in.email if taken is None or taken.id == user.id else None
            user = registry.update_user(user.id, email=email, name=signed_in.name)
        return user
    taken = registry.find_user_by_email(signed_in.email) if signed_in.email else None
    email = "" if taken is not None else signed_in.email  # an email is never moved between users
    for candidate in _candidate_ids(signed_in.email or signed_in.subject):
        try:
            return registry.create_user(
                candidate, email, signed_in.name, provider=WORKOS, subject=signed_in.subject
            )
        except AlreadyExists:
            # Trigger: the id (or, in a race, the subject) is taken. Outcome: the same subject
            # signing in twice at once finds its user; anyone else gets the next free id.
            again = registry.find_user_by_subject(WORKOS, signed_in.subject)
            if again is not None:
                return again
    raise InvalidInput("Could not choose a user id; contact the operator.")


def _candidate_ids(seed: str) -> list[str]:
    base = re.sub(r"[^a-z0-9_-]+", "-", seed.split("@", 1)[0].lower()).strip("-_")[:40] or "user"
    if base in RESERVED_USER_IDS:
        base = f"{base}-user"
    return [base] + [f"{base}-{n}" for n in range(2, 50)] + [f"u-{secrets.token_hex(5)}"]
