"""Access for every door: credentials -> identity -> role on a wiki (`Authorizer`, `Access`)."""

from wikibot.auth.access import Access, Authorizer, Identity, access_for, bearer

__all__ = ["Access", "Authorizer", "Identity", "access_for", "bearer"]
