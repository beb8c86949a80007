"""AuthKit access tokens (RS256 JWTs) checked against the registry's JWKS cache, offline.

The MCP and wiki Lambdas run in a VPC without internet, so keys never come from the network
here: they come from the registry, where the platform Lambda stores AuthKit's JWKS on a
schedule. A token whose `kid` is not in the cache triggers one reload from the registry and, at
most once a minute across every process (a conditional write in the registry), a refresh through
the injected `refresh` callable (the platform's JWKS sync).

Audience decision: one audience per wiki. A token is accepted on a wiki's MCP URL only if its
`aud` names exactly that URL (`wikibot.auth.oauth.mcp_resource`), which is the RFC 8707 resource
indicator Claude.ai sends and the production AuthKit environment registers for the wiki. A token
minted for another wiki is therefore invalid here (401), and the holder's role on this wiki is
still checked afterwards, so removing a member refuses their live tokens at once.

Refused: any `alg` but RS256 (`none`, HS256 signed with the public key), an unknown `kid`, a
wrong `iss` (WorkOS web-session tokens are issued by `https://api.workos.com/...` and carry no
`aud`), a wrong or missing `aud`, a missing or past `exp`, a bad signature.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from wikibot.errors import Unauthorized
from wikibot.registry.base import Registry

ALGORITHM = "RS256"
REFRESH_INTERVAL = timedelta(minutes=1)
LEEWAY_SECONDS = 30  # clock skew between AuthKit and Lambda


class AuthKitVerifier:
    """Verifies AuthKit access tokens for one issuer.

    Args:
        registry: Holds the JWKS cache.
        issuer: The AuthKit issuer URL (`wikibot.auth.oauth.issuer`).
        refresh: Asks the platform to fetch and store a fresh JWKS; None to rely on the schedule.
        clock: Seconds since the epoch; tests pass a fake.
    """

    def __init__(
        self,
        registry: Registry,
        issuer: str,
        *,
        refresh: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.registry = registry
        self.issuer = issuer
        self.refresh = refresh
        self.clock = clock
        self._keys: dict[str, Any] = {}

    def verify(self, token: str, audience: str) -> dict[str, Any]:
        """Return the claims of a valid access token for `audience`.

        Raises:
            Unauthorized: The token is not a valid AuthKit access token for this audience; the
                message says why (the client should sign in again for this wiki).
        """
        import jwt  # here, not at import: PyJWT loads cryptography (INIT time)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"Malformed access token ({exc}).") from exc
        if header.get("alg") != ALGORITHM:
            raise Unauthorized(f"Access tokens must be signed with {ALGORITHM}.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("The access token names no signing key (kid).")
        key = self._key(kid)
        try:
            return jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("The access token has expired; sign in again.") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthorized(
                f"The access token was not issued for {audience}; authorize this wiki."
            ) from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthorized("The access token comes from another issuer.") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"Invalid access token ({exc}).") from exc

    def _key(self, kid: str) -> Any:
        if kid not in self._keys:
            self._load()
        if kid not in self._keys and self._claim_refresh():
            # Trigger: a kid we have never seen. Why: AuthKit may have rotated keys since the
            # last scheduled sync. Outcome: at most one platform refresh a minute, then reload.
            assert self.refresh is not None
            try:
                self.refresh()
            except Exception:  # noqa: BLE001 - a failed refresh is just an unknown key
                pass
            self._load()
        if kid not in self._keys:
            raise Unauthorized("The access token's signing key (kid) is not known.")
        return self._keys[kid]

    def _load(self) -> None:
        import jwt  # here, not at import: PyJWT loads cryptography (INIT time)
        cached = self.registry.get_jwks(self.issuer)
        keys: dict[str, Any] = {}
        for jwk in cached.keys if cached else []:
            if jwk.get("kty") != "RSA" or not jwk.get("kid") or jwk.get("use", "sig") != "sig":
                continue
            try:
                keys[jwk["kid"]] = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))
            except (jwt.InvalidKeyError, ValueError, KeyError):
                continue  # one malformed key must not take the others down
        self._keys = keys

    def _claim_refresh(self) -> bool:
        if self.refresh is None:
            return False
        now = datetime.fromtimestamp(self.clock(), UTC)
        return self.registry.claim_jwks_refresh(self.issuer, now, now - REFRESH_INTERVAL)
