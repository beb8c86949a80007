"""`create_token` / `resolve_token` on every adapter, delegating to `wikibot.auth.tokens`.

The registry stores token facts; minting, hashing and the last-used policy are auth's. These
two methods keep the adapter-level calls the CLI and `wikibot dev` have always used.
"""

from __future__ import annotations

from datetime import datetime

from wikibot.registry.base import Token


class TokenShortcuts:
    """Mixin for adapters that know the server's token key and have a clock."""

    token_key: str

    def now(self) -> datetime:  # pragma: no cover - every adapter overrides it
        """The adapter's clock."""
        raise NotImplementedError

    def create_token(
        self, user_id: str, wiki_owner: str, wiki_slug: str, name: str = ""
    ) -> tuple[Token, str]:
        """Mint a token (see `wikibot.auth.tokens.issue`); returns (record, secret shown once)."""
        from wikibot.auth import tokens

        return tokens.issue(
            self, self.token_key, user_id, wiki_owner, wiki_slug, name, now=self.now()
        )

    def resolve_token(self, secret: str) -> Token | None:
        """The live token for a secret, or None (see `wikibot.auth.tokens.lookup`)."""
        from wikibot.auth import tokens

        return tokens.lookup(self, self.token_key, secret, now=self.now())
