"""OAuth 2.1 resource-server facts for each wiki's MCP URL (RFC 9728, RFC 6750).

WorkOS AuthKit is the authorization server. Each wiki's MCP URL is its own protected resource:
`resource` is exactly `{public_url}/{owner}/{slug}/mcp` (no trailing slash), and that same
string is the audience an AuthKit access token must carry there (see `wikibot.auth.authkit`).
The MCP gate serves `protected_resource_metadata` at
`/.well-known/oauth-protected-resource/{owner}/{slug}/mcp` and puts `challenge` in every 401.
"""

from __future__ import annotations

from wikibot.errors import NotFound
from wikibot.registry.base import validate_slug
from wikibot.settings import Settings

WELL_KNOWN = "/.well-known/oauth-protected-resource"


def issuer(settings: Settings) -> str:
    """The AuthKit issuer URL (`https://<sub>.authkit.app`); a bare host gets `https://`."""
    domain = settings.authkit_domain.strip().rstrip("/")
    if domain and "://" not in domain:
        domain = "https://" + domain
    return domain


def mcp_resource(settings: Settings, owner: str, slug: str) -> str:
    """The canonical MCP URL of one wiki: the RFC 9728 `resource` and the token audience."""
    validate_slug("user id", owner)
    validate_slug("wiki slug", slug)
    return f"{settings.public_url.rstrip('/')}/{owner}/{slug}/mcp"


def metadata_url(settings: Settings, owner: str, slug: str) -> str:
    """The absolute URL of the wiki's protected-resource metadata document."""
    mcp_resource(settings, owner, slug)  # validates the names
    return f"{settings.public_url.rstrip('/')}{WELL_KNOWN}/{owner}/{slug}/mcp"


def protected_resource_metadata(settings: Settings, owner: str, slug: str) -> dict:
    """The RFC 9728 metadata document for one wiki's MCP URL.

    The same document is served for any well-formed name, existing or not, so it reveals
    nothing about which wikis exist.

    Raises:
        NotFound: OAuth is not configured (no AuthKit domain): bearer API tokens only.
        InvalidInput: `owner` or `slug` is not a valid name.
    """
    if not settings.authkit_domain:
        raise NotFound("OAuth is not configured here; use an API token as a bearer token.")
    return {
        "resource": mcp_resource(settings, owner, slug),
        "authorization_servers": [issuer(settings)],
        "bearer_methods_supported": ["header"],
        "resource_name": f"wikibot {owner}/{slug}",
    }


def challenge(settings: Settings, owner: str, slug: str, presented: bool) -> str:
    """The `WWW-Authenticate` value of a 401 from one wiki's MCP URL.

    `error="invalid_token"` only when a credential was presented (RFC 6750 3.1);
    `resource_metadata` (absolute) only when AuthKit is configured, so a client is never sent
    to a document that is not there.
    """
    parts = ['Bearer realm="wikibot"']
    if presented:
        parts.append('error="invalid_token"')
    if settings.authkit_domain:
        parts.append(f'resource_metadata="{metadata_url(settings, owner, slug)}"')
    return ", ".join(parts)
