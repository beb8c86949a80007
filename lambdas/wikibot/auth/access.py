"""The one place a request becomes (identity, wiki, role).

Credential verifiers turn what a door received into an `Identity`: an API token
(`wikibot.auth.tokens`), a session cookie (`wikibot.auth.session`), an AuthKit access token
(`wikibot.auth.authkit`), or nobody. `access_for` turns identity + wiki into an `Access` with the
role from `wikibot.auth.policy`. Downstream code only asks the `Access` (`require`); it never
looks at tokens, memberships or ownership itself.

Errors: `Unauthorized` (401) when no valid credential was presented; `Forbidden` (403) when a
valid credential does not grant the wiki (including a wiki that does not exist, so nobody can
probe which wikis exist).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from wikibot import tracing
from wikibot.auth import policy, session, tokens
from wikibot.auth.authkit import AuthKitVerifier
from wikibot.auth.oauth import issuer, mcp_resource
from wikibot.errors import Forbidden, InvalidInput, NotFound, Unauthorized
from wikibot.registry.base import Registry, Wiki
from wikibot.settings import Settings

# Kept for callers that imported the role table from here.
ROLE_ACTIONS = policy.ROLES
WORKOS = "workos"  # the provider name users signed in through WorkOS are stored under


@dataclass(frozen=True)
class Identity:
    """Who presented a credential (before any wiki is considered)."""

    user_id: str
    name: str
    email: str
    via: str  # "token", "oauth", "session", "anonymous"


ANONYMOUS = Identity("", "anonymous", "anonymous@users.wikibot", "anonymous")


@dataclass(frozen=True)
class Access:
    """A resolved request: who acts, on which wiki, with which role."""

    user_id: str
    name: str
    email: str
    wiki_owner: str
    wiki_slug: str
    role: str
    via: str

    @property
    def permissions(self) -> frozenset[str]:
        """Everything this role may do."""
        return policy.ROLES.get(self.role, frozenset())

    @property
    def otterwiki_permissions(self) -> str:
        """Otterwiki's words for this role, e.g. `"READ WRITE UPLOAD ADMIN"` for an owner."""
        return policy.otterwiki_permissions(self.role)

    @property
    def anonymous(self) -> bool:
        """True for a caller without credentials reading a public wiki."""
        return not self.user_id

    def allows(self, permission: str) -> bool:
        """Whether this role grants `permission` (`read`, `write`, `delete`, `upload`, `manage`)."""
        return policy.allows(self.role, permission)

    def require(self, permission: str) -> None:
        """Raise `Forbidden` unless the role grants `permission`."""
        if not self.allows(permission):
            who = "Anonymous visitors" if self.anonymous else f"Your role ({self.role})"
            raise Forbidden(
                f"{who} on {self.wiki_owner}/{self.wiki_slug} cannot "
                f"{policy.permission(permission)}. Ask the wiki's owner for more access."
            )


def access_for(registry: Registry, identity: Identity, wiki: Wiki) -> Access:
    """The one function from identity + wiki to an `Access` with a role.

    Raises:
        Forbidden: The identity holds no role on the wiki (anonymous callers: the wiki is private).
    """
    role = policy.role_of(registry, wiki, identity.user_id) if identity.user_id else None
    if role is None and wiki.public:
        role = "viewer"  # a public wiki is readable by everyone, signed in or not
    if role is None:
        raise Forbidden("This credential does not grant access to this wiki.")
    return Access(
        user_id=identity.user_id,
        name=identity.name,
        email=identity.email,
        wiki_owner=wiki.owner,
        wiki_slug=wiki.slug,
        role=role,
        via=identity.via,
    )


def bearer(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer ...` header, or None."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


class Authorizer:
    """Resolves credentials for a wiki against the registry.

    Args:
        registry: Users, wikis, members, tokens and the JWKS cache.
        settings: Keys, public URL and AuthKit domain. None keeps the old behaviour: API tokens
            only, hashed with the registry's own `token_key`.
        refresh_jwks: Asks the platform for a fresh AuthKit JWKS on an unknown `kid`.
        clock: Seconds since the epoch (sessions, token last-use); tests pass a fake.
    """

    def __init__(
        self,
        registry: Registry,
        settings: Settings | None = None,
        *,
        refresh_jwks: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry = registry
        self.settings = settings
        self.clock = clock
        self.token_key = settings.token_key if settings else getattr(registry, "token_key", "")
        self.authkit: AuthKitVerifier | None = None
        if settings is not None and settings.authkit_domain:
            self.authkit = AuthKitVerifier(
                registry, issuer(settings), refresh=refresh_jwks, clock=clock
            )

    # -- doors -------------------------------------------------------------------------------

    @tracing.traced("access.resolve")
    def resolve(self, token: str | None, owner: str, slug: str) -> Access:
        """Resolve a bearer credential (API token or AuthKit access token; None = anonymous).

        Raises:
            Unauthorized: No credential for a private wiki, or an invalid one (HTTP 401).
            Forbidden: A valid credential that does not grant this wiki (HTTP 403).
        """
        if not token:
            return self._anonymous(owner, slug)
        if tokens.looks_like_token(token):
            return self._with(self._api_token(token, owner, slug), owner, slug)
        if self.authkit is not None and token.count(".") == 2:
            return self._with(self._oauth(token, owner, slug), owner, slug)
        raise Unauthorized(
            "The bearer token is neither a wikibot API token (wbt_...) nor an access token "
            "issued for this wiki; mint a token or sign in again."
        )

    @tracing.traced("access.resolve")
    def resolve_session(self, cookie: str | None, owner: str, slug: str) -> Access:
        """Resolve the browser's `wikibot_session` cookie (None = anonymous)."""
        if not cookie:
            return self._anonymous(owner, slug)
        return self._with(self.session_identity(cookie), owner, slug)

    @tracing.traced("access.resolve")
    def resolve_basic(self, password: str | None, owner: str, slug: str) -> Access:
        """Resolve git's HTTP Basic password, which must be an API token (None = anonymous)."""
        if not password:
            return self._anonymous(owner, slug)
        if not tokens.looks_like_token(password):
            raise Unauthorized("Use an API token (wbt_...) as the git password.")
        return self._with(self._api_token(password, owner, slug), owner, slug)

    # -- verifiers ---------------------------------------------------------------------------

    def session_identity(self, cookie: str) -> Identity:
        """The signed-in user of a session cookie (also used by the management API).

        Raises:
            Unauthorized: Bad, expired or foreign-key cookie, or the user no longer exists.
        """
        if self.settings is None or not self.settings.session_key:
            raise Unauthorized("Browser sessions are not configured here.")
        try:
            claims = session.verify(cookie, self.settings.session_key, now=int(self.clock()))
        except InvalidInput as exc:  # a misconfigured key must not look like a valid session
            raise Unauthorized(str(exc)) from exc
        return self._user_identity(claims["sub"], "session")

    def token_identity(self, secret: str) -> tuple[Identity, str, str]:
        """The holder of an API token and the wiki (owner, slug) it is for."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        found = tokens.lookup(self.registry, self.token_key, secret, now=now)
        if found is None:
            raise Unauthorized("The token is unknown or revoked; mint a new one.")
        return self._user_identity(found.user_id, "token"), found.wiki_owner, found.wiki_slug

    def _api_token(self, secret: str, owner: str, slug: str) -> Identity:
        identity, t_owner, t_slug = self.token_identity(secret)
        if (t_owner, t_slug) != (owner, slug):
            raise Forbidden("This token does not grant access to this wiki.")
        return identity

    def _oauth(self, token: str, owner: str, slug: str) -> Identity:
        assert self.authkit is not None and self.settings is not None
        try:
            audience = mcp_resource(self.settings, owner, slug)
        except InvalidInput as exc:
            raise Forbidden("This credential does not grant access to this wiki.") from exc
        claims = self.authkit.verify(token, audience)
        user = self.registry.find_user_by_subject(WORKOS, str(claims["sub"]))
        if user is None:
            raise Forbidden(
                "This account has no wikibot user yet: sign in once at "
                f"{self.settings.public_url}/auth/login, then ask the wiki's owner to add you."
            )
        return Identity(user.id, user.name or user.id, _email(user.id, user.email), "oauth")

    # -- helpers -----------------------------------------------------------------------------

    def _user_identity(self, user_id: str, via: str) -> Identity:
        try:
            user = self.registry.get_user(user_id)
        except NotFound as exc:
            raise Unauthorized("This account no longer exists; sign in again.") from exc
        return Identity(user.id, user.name or user.id, _email(user.id, user.email), via)

    def _wiki(self, owner: str, slug: str) -> Wiki | None:
        try:
            return self.registry.get_wiki(owner, slug)
        except NotFound:
            return None

    def _with(self, identity: Identity, owner: str, slug: str) -> Access:
        wiki = self._wiki(owner, slug)
        if wiki is None:
            raise Forbidden("This credential does not grant access to this wiki.")
        return access_for(self.registry, identity, wiki)

    def _anonymous(self, owner: str, slug: str) -> Access:
        wiki = self._wiki(owner, slug)
        if wiki is None or not wiki.public:
            raise Unauthorized("Missing credentials: send 'Authorization: Bearer <token>'.")
        return access_for(self.registry, ANONYMOUS, wiki)


def _email(user_id: str, email: str) -> str:
    return email or f"{user_id}@users.wikibot"
