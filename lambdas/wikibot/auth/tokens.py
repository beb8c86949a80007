"""API token secrets: minting, recognising and hashing.

A secret is `wbt_` plus 43 URL-safe characters (256 random bits). Registries store only
`hash_secret(secret, token_key)`, an HMAC-SHA256 keyed with the server's token key: a direct
index lookup (no bcrypt scan across every token), and a stolen registry without the key cannot
be used to test guesses offline. The prefix lets secret scanners and `looks_like_token` spot a
token cheaply before any hashing or lookup.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

from wikibot.auth.policy import role_of
from wikibot.errors import Forbidden, InvalidInput
from wikibot.registry.base import Registry, Token

PREFIX = "wbt_"
# Writing last_used_at on every call would turn each authenticated read into a write.
LAST_USED_GRANULARITY = timedelta(minutes=1)
_SECRET = re.compile(r"^wbt_[A-Za-z0-9_-]{43}$")


def new_secret() -> str:
    """Return a fresh token secret: `wbt_` + 43 URL-safe characters from `secrets`."""
    # 32 random bytes encode to exactly 43 unpadded URL-safe base64 characters.
    return PREFIX + secrets.token_urlsafe(32)


def token_id() -> str:
    """Return a new short public token id (`tok_` + 12 hex chars), unrelated to the secret.

    The id is random rather than derived from the secret so that showing it reveals nothing.
    """
    return "tok_" + secrets.token_hex(6)


def hash_secret(secret: str, key: str) -> str:
    """Return the keyed lookup hash of a secret: HMAC-SHA256 hex with the server's token key.

    Raises:
        InvalidInput: The key is empty (an unkeyed hash would make stored tokens guessable).
    """
    if not key:
        raise InvalidInput("token key is empty: set WIKIBOT_TOKEN_KEY to a long random string")
    return hmac.new(key.encode(), secret.encode(), hashlib.sha256).hexdigest()


def looks_like_token(s: str) -> bool:
    """Return True if `s` has the exact shape of a wikibot token secret."""
    return isinstance(s, str) and _SECRET.fullmatch(s) is not None


def issue(
    registry: Registry,
    key: str,
    user_id: str,
    wiki_owner: str,
    wiki_slug: str,
    name: str = "",
    *,
    now: datetime | None = None,
) -> tuple[Token, str]:
    """Mint a token for a user on one wiki they hold a role on; store only its keyed hash.

    The token carries no role: each use resolves the holder's role at that moment, so removing
    a member disables their tokens at once.

    Returns:
        The token record and the secret (shown once; it cannot be recovered later).

    Raises:
        InvalidInput: The key is empty.
        NotFound: The user or the wiki does not exist.
        Forbidden: The user holds no role on the wiki.
    """
    if not key:
        raise InvalidInput("token key is empty: set WIKIBOT_TOKEN_KEY to a long random string")
    registry.get_user(user_id)
    wiki = registry.get_wiki(wiki_owner, wiki_slug)
    if role_of(registry, wiki, user_id) is None:
        raise Forbidden(f"user {user_id!r} has no access to wiki {wiki.key}")
    secret = new_secret()
    created = now or datetime.now(UTC)
    token = Token(token_id(), user_id, wiki_owner, wiki_slug, name, created, None, None)
    return registry.add_token(token, hash_secret(secret, key)), secret


def lookup(
    registry: Registry, key: str, secret: str, *, now: datetime | None = None
) -> Token | None:
    """Return the live token for a presented secret, or None if unknown or revoked.

    Records use in `last_used_at` at most once a minute per token, with a conditional write so
    concurrent resolvers write once and a token revoked meanwhile is not resurrected.
    """
    if not looks_like_token(secret):
        return None  # Cheap reject: no hash, no query for junk or other credential kinds.
    token = registry.find_token(hash_secret(secret, key))
    if token is None:
        return None
    at = now or datetime.now(UTC)
    if token.last_used_at is None or at - token.last_used_at >= LAST_USED_GRANULARITY:
        token = registry.touch_token(token, at, at - LAST_USED_GRANULARITY)
    return token
