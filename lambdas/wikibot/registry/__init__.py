"""Users, wikis, members, tokens: the `Registry` port and `open_registry` to pick an adapter."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from wikibot.errors import InvalidInput
from wikibot.registry.base import Jwks, Member, Registry, Token, User, Wiki, validate_slug

if TYPE_CHECKING:
    from wikibot.settings import Settings

__all__ = [
    "Jwks",
    "Member",
    "Registry",
    "Token",
    "User",
    "Wiki",
    "open_registry",
    "validate_slug",
]


def open_registry(settings: Settings) -> Registry:
    """Open the registry named by `settings.registry_url`.

    `sqlite:///relative.db` and `sqlite:////absolute.db` (the SQLAlchemy convention) open a
    SQLite file, creating its folder. `dynamodb://table` opens the DynamoDB table (region and
    credentials from boto3's default chain, as on Lambda).

    Raises:
        InvalidInput: Unknown URL.
    """
    url = settings.registry_url
    if url.startswith("sqlite:///"):
        # Imported here so a DynamoDB deployment never loads the SQLite adapter.
        from wikibot.registry.sqlite import SqliteRegistry

        path = Path(url.removeprefix("sqlite:///"))
        if not path.name:
            raise InvalidInput(f"registry URL {url!r} names no file: use sqlite:///path/to.db")
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteRegistry(path, settings.token_key)
    if url.startswith("dynamodb://"):
        from wikibot.registry.dynamodb import DynamoRegistry

        table = url.removeprefix("dynamodb://").strip("/")
        if not table:
            raise InvalidInput(f"registry URL {url!r} names no table: use dynamodb://table")
        return DynamoRegistry(table, settings.token_key)
    raise InvalidInput(
        f"unsupported registry URL {url!r}: use sqlite:///path.db or dynamodb://table"
    )
