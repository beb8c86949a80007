"""The registry port: users, wikis and API tokens behind one Protocol.

Adapters (SQLite locally, DynamoDB on AWS) implement `Registry` and pass the one contract suite in
`tests/contract/test_registry.py`. Nothing here knows about HTTP, events or storage engines.

Not built yet: wiki roles and members (viewer/editor/owner; another issue). Until they arrive, only
a wiki's owner can hold a token for it, checked in `create_token`; a membership check will replace
that owner check, and a `members` table/item will join the adapters' schemas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from wikibot import layout
from wikibot.errors import InvalidInput

# User ids whose first path segment API Gateway already routes elsewhere (`/api/{proxy+}`,
# `/auth/{proxy+}`): a user named like that could never reach their wikis' web UI.
RESERVED_USER_IDS = frozenset({"api", "auth"})


def validate_slug(kind: str, value: str) -> str:
    """Check a user id or wiki slug: a safe folder name (store.layout) that routing can reach.

    Returns:
        The value unchanged, so callers can validate inline.

    Raises:
        InvalidInput: With a message that says what is allowed.
    """
    layout.validate_slug(kind, value)
    if kind.startswith("user") and value in RESERVED_USER_IDS:
        raise InvalidInput(f"invalid {kind} {value!r}: that name is reserved; choose another")
    return value


@dataclass(frozen=True)
class User:
    """A person (or service account) who owns wikis and mints tokens."""

    id: str
    email: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class Wiki:
    """One private wiki: a bare git repository owned by one user."""

    owner: str
    slug: str
    title: str
    created_at: datetime

    @property
    def key(self) -> str:
        """The wiki's unique name, `owner/slug`, also its folder under the data root."""
        return f"{self.owner}/{self.slug}"


@dataclass(frozen=True)
class Token:
    """An API token's public record; the secret itself is never stored or carried here.

    Attributes:
        id: Short public id, safe to show in lists and logs.
        user_id: Who the token acts as.
        wiki_owner: Owner of the one wiki the token grants.
        wiki_slug: Slug of that wiki.
        name: A label the user chose ("laptop", "claude code").
        created_at: When it was minted.
        last_used_at: Last successful resolve, at minute granularity; None if never used.
        revoked_at: When it was revoked; None while it is live.
    """

    id: str
    user_id: str
    wiki_owner: str
    wiki_slug: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def wiki_key(self) -> str:
        """The granted wiki's `owner/slug`."""
        return f"{self.wiki_owner}/{self.wiki_slug}"


@runtime_checkable
class Registry(Protocol):
    """Users, wikis and API tokens; every adapter passes `tests/contract/test_registry.py`."""

    def create_user(self, id: str, email: str = "", name: str = "") -> User:
        """Create a user.

        Raises:
            InvalidInput: The id is not a valid slug (or is reserved).
            AlreadyExists: The id, or a non-empty email (case-insensitive), is taken.
        """
        ...

    def get_user(self, id: str) -> User:
        """Return a user.

        Raises:
            NotFound: No such user.
        """
        ...

    def find_user_by_email(self, email: str) -> User | None:
        """Return the user with this email (case-insensitive), or None; "" never matches."""
        ...

    def create_wiki(self, owner: str, slug: str, title: str = "") -> Wiki:
        """Create a wiki record; the title defaults to the slug.

        Raises:
            InvalidInput: Bad slug.
            NotFound: The owner does not exist.
            AlreadyExists: The owner already has a wiki with this slug.
        """
        ...

    def get_wiki(self, owner: str, slug: str) -> Wiki:
        """Return a wiki.

        Raises:
            NotFound: No such wiki.
        """
        ...

    def list_wikis(self, owner: str) -> list[Wiki]:
        """Return the owner's wikis ordered by slug (empty for an unknown owner)."""
        ...

    def delete_wiki(self, owner: str, slug: str) -> None:
        """Delete a wiki record and every token for it (the repository is the store's job).

        Raises:
            NotFound: No such wiki.
        """
        ...

    def create_token(
        self, user_id: str, wiki_owner: str, wiki_slug: str, name: str = ""
    ) -> tuple[Token, str]:
        """Mint a token for one user on one wiki.

        Returns:
            The token record and the secret. The secret is shown once: only its keyed hash is
            stored, so it cannot be recovered later.

        Raises:
            NotFound: The user or wiki does not exist.
            Forbidden: The user may not use that wiki (today: is not its owner).
        """
        ...

    def resolve_token(self, secret: str) -> Token | None:
        """Return the live token for a presented secret, or None if unknown or revoked.

        Records use in `last_used_at`, writing at most once a minute per token so hot tokens do
        not turn every read into a write.
        """
        ...

    def list_tokens(
        self, user_id: str, wiki_owner: str | None = None, wiki_slug: str | None = None
    ) -> list[Token]:
        """Return the user's tokens, revoked ones included, oldest first, optionally per wiki."""
        ...

    def revoke_token(self, user_id: str, token_id: str) -> None:
        """Revoke one of the user's tokens; revoking twice keeps the first time.

        Raises:
            NotFound: No such token belongs to this user (another user's id looks the same).
        """
        ...
