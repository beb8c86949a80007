"""Users, wikis and API tokens: the `Registry` port and `open_registry` to pick an adapter."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from wikibot.errors import InvalidInput
from wikibot.registry.base import Registry, Token, User, Wiki, validate_slug

if TYPE_CHECKING:
    from wikibot.settings import Settings

__all__ = ["Registry", "Token", "User", "Wiki", "open_registry", "validate_slug"]


def open_registry(settings: Settings) -> Registry:
    """Open the registry named by `settings.registry_url`.

    `sqlite:///relative.db` and `sqlite:////absolute.db` (the SQLAlchemy convention) open a
    SQLite file, creating its folder. `dynamodb://table` is reserved for the AWS adapter.

    Raises:
        InvalidInput: Unknown or not-yet-supported URL, or an empty token key.
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
        raise InvalidInput(
            f"registry URL {url!r}: the DynamoDB adapter is not implemented yet; it arrives "
            "with the tenancy issue. Use sqlite:///path.db for now."
        )
    raise InvalidInput(f"unsupported registry URL {url!r}: use sqlite:///path.db")
