"""Where wikis live on disk (a local folder or the EFS mount): `{root}/{user}/{wiki}/repo.git`."""

from __future__ import annotations

import re
from pathlib import Path

from wikibot.errors import InvalidInput

SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


def validate_slug(kind: str, value: str) -> str:
    """Return `value` if it is a safe folder name for a user id or wiki slug, else raise.

    They become folders (`{user}/{wiki}/repo.git`) and URL segments, so no separators, no
    dot names, and no upper case that could alias on case-insensitive file systems.
    """
    if not isinstance(value, str) or not SLUG.fullmatch(value):
        raise InvalidInput(
            f"{kind} {value!r} is not valid: use 1-63 lowercase letters, digits, '-' or '_', "
            "starting with a letter or digit."
        )
    return value


def wiki_path(root: Path, user: str, wiki: str) -> Path:
    """The bare repository folder of one wiki (names validated, so no path can escape root)."""
    return Path(root) / validate_slug("user", user) / validate_slug("wiki", wiki) / "repo.git"
