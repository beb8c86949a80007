"""The registry port: users, wikis, members, API token records and the JWKS cache.

Adapters (SQLite locally, DynamoDB on AWS) implement `Registry` and pass the one contract suite in
`tests/contract/test_registry.py`. The registry stores facts only. Policy (which role may do what,
who may hold a token, how a secret is hashed) lives in `wikibot.auth`; nothing here knows about
HTTP, events or storage engines.

Facts kept:
- users: a wikibot id (the URL segment), email, name, and the sign-in provider's subject
  (`provider` + `subject`, e.g. `workos` + `user_01H...`), so the platform could change provider;
- wikis: owner, slug, title, public flag, created/updated times, page count and bytes;
- members: (wiki, user) -> role name; a wiki's owner is its owner by the wiki record, not a row;
- tokens: public record + the keyed hash of the secret (computed by `wikibot.auth.tokens`);
- jwks: the last JSON Web Key Set fetched for an issuer, and when a refresh was last claimed.
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
    """A person (or service account) who owns wikis, joins others' wikis and mints tokens.

    Attributes:
        provider: Who vouches for the user ("workos", "local"); "" for CLI-made users.
        subject: The provider's stable user id (WorkOS `user_...`); "" when none.
    """

    id: str
    email: str
    name: str
    created_at: datetime
    provider: str = ""
    subject: str = ""


@dataclass(frozen=True)
class Wiki:
    """One wiki: a bare git repository owned by one user, shared with its members."""

    owner: str
    slug: str
    title: str
    created_at: datetime
    updated_at: datetime | None = None
    public: bool = False
    page_count: int = 0
    bytes: int = 0

    @property
    def key(self) -> str:
        """The wiki's unique name, `owner/slug`, also its folder under the data root."""
        return f"{self.owner}/{self.slug}"


@dataclass(frozen=True)
class Member:
    """A user's role on someone else's wiki (the role names are `wikibot.auth.policy`'s)."""

    wiki_owner: str
    wiki_slug: str
    user_id: str
    role: str
    added_at: datetime

    @property
    def wiki_key(self) -> str:
        """The wiki's `owner/slug`."""
        return f"{self.wiki_owner}/{self.wiki_slug}"


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


@dataclass(frozen=True)
class Jwks:
    """A cached JSON Web Key Set for one issuer.

    Attributes:
        issuer: The token issuer the keys belong to (the AuthKit domain).
        keys: The `keys` list of the JWKS document, as fetched.
        fetched_at: When it was fetched; None if never (only a refresh claim exists).
        refresh_claimed_at: When a refresh was last claimed (rate limit for unknown `kid`s).
    """

    issuer: str
    keys: list[dict]
    fetched_at: datetime | None
    refresh_claimed_at: datetime | None


@runtime_checkable
class Registry(Protocol):
    """The registry port; every adapter passes `tests/contract/test_registry.py`."""

    # -- users ---------------------------------------------------------------------------------

    def create_user(
        self, id: str, email: str = "", name: str = "", *, provider: str = "", subject: str = ""
    ) -> User:
        """Create a user.

        Raises:
            InvalidInput: The id is not a valid slug (or is reserved).
            AlreadyExists: The id, a non-empty email (case-insensitive), or a non-empty
                provider + subject pair is taken.
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

    def find_user_by_subject(self, provider: str, subject: str) -> User | None:
        """Return the user the provider knows as `subject`, or None; "" never matches."""
        ...

    def update_user(self, id: str, *, email: str | None = None, name: str | None = None) -> User:
        """Change a user's email and/or name; None leaves a field alone.

        Raises:
            NotFound: No such user.
            AlreadyExists: Another user has that email.
        """
        ...

    # -- wikis ---------------------------------------------------------------------------------

    def create_wiki(self, owner: str, slug: str, title: str = "", *, public: bool = False) -> Wiki:
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

    def update_wiki(
        self,
        owner: str,
        slug: str,
        *,
        title: str | None = None,
        public: bool | None = None,
        page_count: int | None = None,
        bytes: int | None = None,
    ) -> Wiki:
        """Change some facts of a wiki (None leaves a field alone) and set `updated_at`.

        Raises:
            NotFound: No such wiki.
        """
        ...

    def delete_wiki(self, owner: str, slug: str) -> None:
        """Delete a wiki record, its members and every token for it (the repo is the store's).

        Raises:
            NotFound: No such wiki.
        """
        ...

    # -- members -------------------------------------------------------------------------------

    def put_member(self, wiki_owner: str, wiki_slug: str, user_id: str, role: str) -> Member:
        """Give a user a role on a wiki, replacing any role they had.

        Raises:
            NotFound: The wiki or the user does not exist.
            InvalidInput: Empty role, or the user is the wiki's owner (owners are not members).
        """
        ...

    def get_member(self, wiki_owner: str, wiki_slug: str, user_id: str) -> Member | None:
        """Return the user's membership of the wiki, or None."""
        ...

    def list_members(self, wiki_owner: str, wiki_slug: str) -> list[Member]:
        """Return the wiki's members ordered by user id (the owner is not among them)."""
        ...

    def list_memberships(self, user_id: str) -> list[Member]:
        """Return every membership the user holds on other people's wikis, by wiki key."""
        ...

    def remove_member(self, wiki_owner: str, wiki_slug: str, user_id: str) -> None:
        """Remove a user's role on a wiki.

        Raises:
            NotFound: The user is not a member of that wiki.
        """
        ...

    # -- tokens --------------------------------------------------------------------------------

    def add_token(self, token: Token, secret_hash: str) -> Token:
        """Store a new token record with the keyed hash of its secret.

        Raises:
            NotFound: The user or wiki does not exist.
            AlreadyExists: The id or the hash is already stored.
        """
        ...

    def find_token(self, secret_hash: str) -> Token | None:
        """Return the live (unrevoked) token stored with this hash, or None."""
        ...

    def touch_token(self, token: Token, at: datetime, not_after: datetime) -> Token | None:
        """Record a use of a live token, at most once per interval.

        Sets `last_used_at = at` if the token is live and was last used at or before
        `not_after` (or never); returns the token as stored afterwards, None if revoked/missing.
        The condition lets many concurrent resolvers write at most once per interval.
        """
        ...

    def list_tokens(
        self, user_id: str, wiki_owner: str | None = None, wiki_slug: str | None = None
    ) -> list[Token]:
        """Return the user's tokens, revoked ones included, oldest first, optionally per wiki."""
        ...

    def list_wiki_tokens(self, wiki_owner: str, wiki_slug: str) -> list[Token]:
        """Return every token for one wiki (all holders), oldest first."""
        ...

    def revoke_token(self, user_id: str, token_id: str) -> None:
        """Revoke one of the user's tokens; revoking twice keeps the first time.

        Raises:
            NotFound: No such token belongs to this user (another user's id looks the same).
        """
        ...

    def revoke_user_tokens(self, wiki_owner: str, wiki_slug: str, user_id: str) -> int:
        """Revoke every live token the user holds for the wiki; return how many."""
        ...

    # -- JWKS cache ------------------------------------------------------------------------

    def get_jwks(self, issuer: str) -> Jwks | None:
        """Return the cached key set for an issuer, or None."""
        ...

    def put_jwks(self, issuer: str, keys: list[dict], fetched_at: datetime) -> None:
        """Replace the cached key set for an issuer."""
        ...

    def claim_jwks_refresh(self, issuer: str, at: datetime, not_after: datetime) -> bool:
        """Record a refresh claim at `at` unless one was made after `not_after`; True if ours.

        One conditional write, so however many processes meet an unknown `kid` at once, at
        most one refresh per interval goes to the platform.
        """
        ...
