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

from wikibot.errors import InvalidInput

PREFIX = "wbt_"
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
