"""The one place a request becomes (identity, wiki, role).

Every door (MCP, web, git) calls `Authorizer.resolve` with the credential it received and the wiki
the URL names, and gets back an `Access` or an error. Downstream code only asks the `Access`
whether an action is allowed (`require`); it never looks at tokens or ownership itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from wikibot.errors import Forbidden, NotFound, Unauthorized
from wikibot.registry.base import Registry

# What each role may do. Members and their roles arrive with the tenancy work; today a wiki's
# owner is its only member.
ROLE_ACTIONS = {
    "viewer": frozenset({"read"}),
    "editor": frozenset({"read", "write"}),
    "owner": frozenset({"read", "write", "admin"}),
}


@dataclass(frozen=True)
class Access:
    """A resolved request: who acts, on which wiki, with which role."""

    user_id: str
    name: str
    email: str
    wiki_owner: str
    wiki_slug: str
    role: str
    via: str  # "token" today; "oauth" and "session" with the tenancy work

    def allows(self, action: str) -> bool:
        """Whether this role may perform `action` (`read`, `write`, `admin`)."""
        return action in ROLE_ACTIONS.get(self.role, ())

    def require(self, action: str) -> None:
        """Raise `Forbidden` unless the role allows `action`."""
        if not self.allows(action):
            raise Forbidden(
                f"Your role on {self.wiki_owner}/{self.wiki_slug} is {self.role!r}, which "
                f"cannot {action}. Ask the wiki's owner for more access."
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
    """Resolves credentials against the registry.

    Args:
        registry: Users, wikis and tokens.
    """

    def __init__(self, registry: Registry):
        self.registry = registry

    def resolve(self, token: str | None, wiki_owner: str, wiki_slug: str) -> Access:
        """Resolve an API token presented for the wiki `wiki_owner/wiki_slug`.

        Raises:
            Unauthorized: no token, or one that is unknown or revoked (HTTP 401).
            Forbidden: a valid token for another wiki, or a wiki that does not exist (HTTP 403,
                the same answer either way so nobody can probe which wikis exist).
        """
        if not token:
            raise Unauthorized("Missing credentials: send 'Authorization: Bearer <token>'.")
        found = self.registry.resolve_token(token)
        if found is None:
            raise Unauthorized("The token is unknown or revoked; mint a new one with the CLI.")
        if (found.wiki_owner, found.wiki_slug) != (wiki_owner, wiki_slug):
            raise Forbidden("This token does not grant access to this wiki.")
        try:
            wiki = self.registry.get_wiki(wiki_owner, wiki_slug)
            user = self.registry.get_user(found.user_id)
        except NotFound as exc:
            raise Forbidden("This token does not grant access to this wiki.") from exc
        if wiki.owner != user.id:
            raise Forbidden("This token does not grant access to this wiki.")
        return Access(
            user_id=user.id,
            name=user.name or user.id,
            email=user.email or f"{user.id}@users.wikibot",
            wiki_owner=wiki.owner,
            wiki_slug=wiki.slug,
            role="owner",
            via="token",
        )
