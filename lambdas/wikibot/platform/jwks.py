"""AuthKit's JWKS into the registry cache: the platform Lambda's scheduled sync.

The MCP and wiki Lambdas have no internet; they verify AuthKit tokens against the keys stored
here (`wikibot.auth.authkit`). The platform Lambda runs outside the VPC, fetches
`{issuer}/oauth2/jwks` on a schedule (EventBridge sends `{"wikibot": "jwks-sync"}`) and on
demand, and stores the key set under the issuer.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime

from wikibot.auth.oauth import issuer
from wikibot.errors import InvalidInput
from wikibot.registry.base import Registry
from wikibot.settings import Settings

Fetch = Callable[[str], dict]


def fetch_json(url: str, timeout: float = 5.0) -> dict:
    """GET a JSON document (only AuthKit's public JWKS is fetched this way)."""
    request = urllib.request.Request(url, headers={"accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - https URL
        return json.loads(response.read())


def sync(
    settings: Settings,
    registry: Registry,
    *,
    fetch: Fetch = fetch_json,
    now: datetime | None = None,
) -> int:
    """Fetch AuthKit's JWKS and store it; return how many keys it holds.

    Raises:
        InvalidInput: AuthKit is not configured, or the document is not a JWKS.
    """
    iss = issuer(settings)
    if not iss:
        raise InvalidInput("WIKIBOT_AUTHKIT_DOMAIN is not set; there is no JWKS to sync.")
    document = fetch(f"{iss}/oauth2/jwks")
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list) or not all(isinstance(k, dict) for k in keys):
        raise InvalidInput(f"{iss}/oauth2/jwks did not return a JSON Web Key Set.")
    registry.put_jwks(iss, keys, now or datetime.now(UTC))
    return len(keys)


def refresher(settings: Settings, registry: Registry) -> Callable[[], None]:
    """The `refresh_jwks` callable for `Authorizer`: fetch now (where the network allows it).

    Inside the VPC the fetch fails fast and the Authorizer treats the key as unknown; the
    scheduled sync then brings the new key within its period.
    """

    def refresh() -> None:
        sync(settings, registry, fetch=lambda url: fetch_json(url, timeout=2.0))

    return refresh
