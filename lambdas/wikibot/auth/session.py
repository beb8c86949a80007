"""Browser session tokens: HS256 JWTs carried in the `wikibot_session` cookie.

The same key signs here and is checked twice: by the CloudFront Function at the edge
(terraform/modules/edge/session_check.js) and again by the Lambdas. On AWS the key is one string,
given to the Lambdas as `WIKIBOT_SESSION_KEY` and stored unchanged in the CloudFront
KeyValueStore under the key name `session_key`; both sides use its UTF-8 bytes as the HMAC key,
so the string itself (not a decoded form of it) is the secret.

A token is valid when its signature matches, its header says `alg: HS256`, it carries `sub`,
`iat`, `nbf` and `exp`, and `nbf <= now < exp`. The edge function applies the same rules.
"""

from __future__ import annotations

import time
from typing import Any

from wikibot.errors import InvalidInput, Unauthorized

COOKIE_NAME = "wikibot_session"
ALGORITHM = "HS256"
MIN_KEY_BYTES = 32  # RFC 7518 3.2: an HS256 key at least as long as the hash output.
_RESERVED = frozenset({"sub", "iat", "nbf", "exp"})


def _key_bytes(key: str) -> bytes:
    raw = key.encode("utf-8")
    if len(raw) < MIN_KEY_BYTES:
        raise InvalidInput(
            f"The session key must be at least {MIN_KEY_BYTES} bytes; "
            "set WIKIBOT_SESSION_KEY to a long random string."
        )
    return raw


def mint(
    subject: str,
    key: str,
    *,
    ttl_seconds: int = 43200,
    now: int | None = None,
    claims: dict[str, Any] | None = None,
) -> str:
    """Create a signed session token for a user.

    Args:
        subject: The wikibot user id the session belongs to (becomes `sub`).
        key: The session signing key (`WIKIBOT_SESSION_KEY`), at least 32 bytes.
        ttl_seconds: Lifetime in seconds; the default is 12 hours.
        now: The issue time as a Unix timestamp; defaults to the current time.
        claims: Extra claims to include; they may not override `sub`, `iat`, `nbf` or `exp`.

    Returns:
        The compact JWT string to put in the `wikibot_session` cookie.

    Raises:
        InvalidInput: The subject is empty, the lifetime is not positive, the key is too
            short, or `claims` tries to set a reserved claim.
    """
    import jwt  # here, not at import: PyJWT loads cryptography (INIT time)
    if not subject:
        raise InvalidInput("A session needs a subject (the user id).")
    if ttl_seconds <= 0:
        raise InvalidInput("ttl_seconds must be positive.")
    extra = dict(claims or {})
    clash = _RESERVED.intersection(extra)
    if clash:
        raise InvalidInput(f"Claims {sorted(clash)} are set by mint() and cannot be overridden.")
    issued = int(time.time()) if now is None else int(now)
    payload = {**extra, "sub": subject, "iat": issued, "nbf": issued, "exp": issued + ttl_seconds}
    return jwt.encode(payload, _key_bytes(key), algorithm=ALGORITHM)


def verify(token: str, key: str, *, now: int | None = None) -> dict[str, Any]:
    """Check a session token and return its claims.

    Args:
        token: The cookie value.
        key: The session signing key (`WIKIBOT_SESSION_KEY`).
        now: The time to check `exp` and `nbf` against; defaults to the current time.

    Returns:
        The token's claims, including `sub`.

    Raises:
        Unauthorized: The token is missing, malformed, not HS256, badly signed, expired,
            not yet valid, or lacks a required claim. The message says which; sign in again.
    """
    import jwt  # here, not at import: PyJWT loads cryptography (INIT time)
    if not token:
        raise Unauthorized("No session cookie; sign in at /auth/login.")
    secret = _key_bytes(key)
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"Malformed session token ({exc}); sign in again.") from exc
    if header.get("alg") != ALGORITHM:
        raise Unauthorized(f"Session token algorithm must be {ALGORITHM}; sign in again.")
    try:
        # Time checks are done below against `now`, so tests and callers share one clock.
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={
                "require": sorted(_RESERVED),
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"Invalid session token ({exc}); sign in again.") from exc
    at = int(time.time()) if now is None else int(now)
    if not all(isinstance(claims[c], int) for c in ("iat", "nbf", "exp")):
        raise Unauthorized("Session token times must be integers; sign in again.")
    if at >= claims["exp"]:
        raise Unauthorized("Session expired; sign in again.")
    if at < claims["nbf"]:
        raise Unauthorized("Session token is not valid yet; check the clock and sign in again.")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise Unauthorized("Session token has no subject; sign in again.")
    return claims
