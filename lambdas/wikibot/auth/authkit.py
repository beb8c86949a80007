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

Signatures without cryptography (docs/decisions/0012): PyJWT's own RS256 needs cryptography (a
15 MB Rust binding), which the MCP and wiki zips leave out. PyJWT still parses the token and
checks the claims; the signature is checked first by `RS256` below, backed by the pure-Python
`rsa` package (RSASSA-PKCS1-v1_5 over SHA-256, key from the JWK's `n` and `e`), in a PyJWS that
knows no other algorithm.
"""

from __future__ import annotations

import base64
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
MIN_KEY_BITS = 2048
_CLAIMS = {
    # The signature is checked before (`RS256`); these stay on though PyJWT skips signatures.
    "verify_signature": False,
    "verify_exp": True,
    "verify_nbf": True,
    "verify_iat": True,
    "verify_aud": True,
    "verify_iss": True,
    "require": ["exp", "iss", "aud", "sub"],
}


def _b64_int(value: Any) -> int:
    """A JWK big-endian base64url integer (`n`, `e`)."""
    if not isinstance(value, str) or not value:
        raise ValueError("JWK integer must be a non-empty base64url string")
    padded = value + "=" * (-len(value) % 4)
    return int.from_bytes(base64.urlsafe_b64decode(padded), "big")


def public_key(jwk: dict) -> Any:
    """An `rsa.PublicKey` from an RSA JWK; ValueError when it is not one we accept."""
    import rsa

    if jwk.get("kty") != "RSA":
        raise ValueError("not an RSA key")
    n, e = _b64_int(jwk.get("n")), _b64_int(jwk.get("e"))
    if n.bit_length() < MIN_KEY_BITS or e < 3 or e % 2 == 0:
        raise ValueError(f"RSA key must have at least {MIN_KEY_BITS} bits and an odd e >= 3")
    return rsa.PublicKey(n, e)


def _signature_checker() -> Any:
    """A PyJWS that verifies RS256 with `rsa` and refuses every other algorithm."""
    import jwt
    import rsa

    class RS256(jwt.algorithms.Algorithm):
        """RSASSA-PKCS1-v1_5 with SHA-256, verification only, with the pure-Python `rsa`."""

        def prepare_key(self, key: Any) -> Any:
            if not isinstance(key, rsa.PublicKey):
                raise jwt.InvalidKeyError("RS256 verifies with an rsa.PublicKey from the JWKS")
            return key

        def check_key_length(self, key: Any) -> str | None:
            return None if key.n.bit_length() >= MIN_KEY_BITS else "RSA key too short"

        def sign(self, msg: bytes, key: Any) -> bytes:
            raise NotImplementedError("wikibot only verifies AuthKit's tokens")

        def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
            try:
                # `rsa.verify` compares the whole padded block it rebuilds and names the hash
                # the signer's DigestInfo declared: only SHA-256 is RS256 (no confusion with
                # a SHA-1 or MD5 signature over the same bytes).
                return rsa.verify(msg, sig, key) == "SHA-256"
            except (rsa.VerificationError, ValueError, OverflowError):
                return False

        @staticmethod
        def to_jwk(key_obj: Any, as_dict: bool = False) -> Any:
            raise NotImplementedError

        @staticmethod
        def from_jwk(jwk: Any) -> Any:
            return public_key(json.loads(jwk) if isinstance(jwk, str) else jwk)

    checker = jwt.PyJWS(algorithms=[], options={"enforce_minimum_key_length": True})
    checker.register_algorithm(ALGORITHM, RS256())
    return checker


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
        self._checker: Any = None

    def verify(self, token: str, audience: str) -> dict[str, Any]:
        """Return the claims of a valid access token for `audience`.

        Raises:
            Unauthorized: The token is not a valid AuthKit access token for this audience; the
                message says why (the client should sign in again for this wiki).
        """
        import jwt  # here, not at import (INIT); PyJWT loads cryptography where it is installed

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
        if self._checker is None:
            self._checker = _signature_checker()
        try:
            self._checker.decode_complete(token, key, algorithms=[ALGORITHM])
            return jwt.decode(
                token,
                audience=audience,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options=_CLAIMS,
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
        cached = self.registry.get_jwks(self.issuer)
        keys: dict[str, Any] = {}
        for jwk in cached.keys if cached else []:
            if jwk.get("kty") != "RSA" or not jwk.get("kid") or jwk.get("use", "sig") != "sig":
                continue
            if jwk.get("alg", ALGORITHM) != ALGORITHM:
                continue  # a key published for another algorithm never verifies RS256
            try:
                keys[jwk["kid"]] = public_key(jwk)
            except (ValueError, TypeError):
                continue  # one malformed key must not take the others down
        self._keys = keys

    def _claim_refresh(self) -> bool:
        if self.refresh is None:
            return False
        now = datetime.fromtimestamp(self.clock(), UTC)
        return self.registry.claim_jwks_refresh(self.issuer, now, now - REFRESH_INTERVAL)
