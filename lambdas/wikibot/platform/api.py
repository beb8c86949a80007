"""The management API under `/api/`: wikis, members and tokens, as JSON, for signed-in users.

Every call carries the browser session cookie (`wikibot_session`); bearer API tokens are for
wikis' doors (MCP, git), not for managing them, and get a 401 here. Each wiki-scoped call
resolves the caller's role through the one policy (`wikibot.auth.access_for`) and requires a
permission: reading a wiki's record and minting one's own token need `read`; changing the wiki,
its members or deleting it need `manage` (owners). A wiki the caller cannot see answers 403,
whether or not it exists. The routes are listed once in `ROUTES`; `openapi.py` documents them
and a test keeps the two in step.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from wikibot import provision
from wikibot.auth import Access, Authorizer, Identity, access_for, policy, session, tokens
from wikibot.errors import (
    Forbidden,
    InvalidInput,
    LimitExceeded,
    NotFound,
    Unauthorized,
)
from wikibot.platform.http import Request, Response
from wikibot.platform.openapi import document
from wikibot.platform.signin import SignIn
from wikibot.registry.base import Registry, Token, Wiki, validate_slug
from wikibot.settings import Settings

SEG = r"([a-z0-9][a-z0-9_-]{0,62})"
# (method, path pattern under /api, handler name). The one list of routes.
ROUTES: list[tuple[str, str, str]] = [
    ("GET", "/api/openapi.json", "openapi"),
    ("GET", "/api/me", "me"),
    ("GET", "/api/wikis", "list_wikis"),
    ("POST", "/api/wikis", "create_wiki"),
    ("GET", "/api/wikis/{owner}/{slug}", "get_wiki"),
    ("PATCH", "/api/wikis/{owner}/{slug}", "update_wiki"),
    ("DELETE", "/api/wikis/{owner}/{slug}", "delete_wiki"),
    ("GET", "/api/wikis/{owner}/{slug}/members", "list_members"),
    ("POST", "/api/wikis/{owner}/{slug}/members", "add_member"),
    ("DELETE", "/api/wikis/{owner}/{slug}/members/{user}", "remove_member"),
    ("GET", "/api/wikis/{owner}/{slug}/tokens", "list_wiki_tokens"),
    ("POST", "/api/wikis/{owner}/{slug}/tokens", "create_token"),
    ("GET", "/api/tokens", "list_tokens"),
    ("DELETE", "/api/tokens/{token_id}", "revoke_token"),
]


def _compile(pattern: str) -> re.Pattern[str]:
    body = re.sub(r"\{token_id\}", r"(tok_[0-9a-f]{1,32})", pattern)
    return re.compile(re.sub(r"\{\w+\}", SEG, body.replace(".", r"\.")) + "/?")


_COMPILED = [(m, _compile(p), name) for m, p, name in ROUTES]


class Api:
    """The `/api/*` routes.

    Args:
        settings: Public URL, session key, plan limits.
        registry: Users, wikis, members, tokens.
        authorizer: The one policy's entry point (session identity, roles).
        signin: Renews session cookies.
        register_resource: Registers a new wiki's MCP URL with AuthKit (None: not configured).
    """

    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        authorizer: Authorizer,
        signin: SignIn,
        register_resource: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.registry = registry
        self.authorizer = authorizer
        self.signin = signin
        self.register_resource = register_resource

    # -- dispatch ----------------------------------------------------------------------------

    def route(self, request: Request) -> Response:
        """Dispatch one `/api/...` request (errors are mapped by the handler)."""
        allowed = []
        for method, pattern, name in _COMPILED:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            if method != request.method:
                allowed.append(method)
                continue
            if name == "openapi":
                return Response.json(200, document(self.settings.public_url))
            identity, renew = self._identity(request)
            response = getattr(self, name)(request, identity, *match.groups())
            if renew:
                response.cookies.append(self.signin.session_cookie(identity.user_id))
            return response
        if allowed:
            return Response.json(
                405, {"error": f"Use {', '.join(allowed)} here."}, allow=", ".join(allowed)
            )
        return Response.error(404, "No such API route; see /api/openapi.json.")

    def _identity(self, request: Request) -> tuple[Identity, bool]:
        cookie = request.cookies.get(session.COOKIE_NAME)
        if not cookie:
            if request.headers.get("authorization"):
                raise Unauthorized(
                    "The management API takes the browser session, not bearer tokens; "
                    "sign in at /auth/login (or use the `wikibot` CLI on the server)."
                )
            raise Unauthorized("Sign in at /auth/login first.")
        identity = self.authorizer.session_identity(cookie)
        claims = session.verify(cookie, self.settings.session_key)
        # Renew once past half its life, so an active user is never cut off mid-work.
        age = claims["exp"] - claims["iat"]
        renew = claims["exp"] - int(self.authorizer.clock()) < age // 2
        return identity, renew

    def _access(self, identity: Identity, owner: str, slug: str, permission: str) -> Access:
        try:
            wiki = self.registry.get_wiki(owner, slug)
        except NotFound as exc:
            raise Forbidden(f"You have no access to {owner}/{slug}.") from exc
        access = access_for(self.registry, identity, wiki)
        access.require(permission)
        return access

    def _wiki_json(self, wiki: Wiki, role: str) -> dict[str, Any]:
        base = self.settings.public_url
        data = asdict(wiki)
        return {
            **data,
            "key": wiki.key,
            "role": role,
            "mcp_url": f"{base}/{wiki.key}/mcp",
            "web_url": f"{base}/{wiki.key}/",
            "git_url": f"{base}/{wiki.key}.git",
        }

    # -- routes ------------------------------------------------------------------------------

    def me(self, request: Request, identity: Identity) -> Response:
        """The signed-in user and their plan."""
        user = self.registry.get_user(identity.user_id)
        plan = {
            "max_wikis": self.settings.plan_max_wikis,
            "max_pages_per_wiki": self.settings.plan_max_pages,
            "max_bytes_per_wiki": self.settings.plan_max_wiki_bytes,
        }
        return Response.json(
            200, {"id": user.id, "email": user.email, "name": user.name, "plan": plan}
        )

    def list_wikis(self, request: Request, identity: Identity) -> Response:
        """Wikis the user owns, then wikis shared with them."""
        owned = [self._wiki_json(w, "owner") for w in self.registry.list_wikis(identity.user_id)]
        shared = []
        for member in self.registry.list_memberships(identity.user_id):
            try:
                wiki = self.registry.get_wiki(member.wiki_owner, member.wiki_slug)
            except NotFound:
                continue
            shared.append(self._wiki_json(wiki, member.role))
        return Response.json(200, {"wikis": owned + shared})

    def create_wiki(self, request: Request, identity: Identity) -> Response:
        """Create a wiki with the starter pages (plan limit: wikis per user)."""
        body = request.json()
        slug = validate_slug("wiki slug", str(body.get("slug", "")))
        owned = len(self.registry.list_wikis(identity.user_id))
        if owned >= self.settings.plan_max_wikis:
            raise LimitExceeded(
                f"Your plan allows {self.settings.plan_max_wikis} wiki(s) and you own {owned}; "
                "delete one first or ask the operator for a larger plan."
            )
        wiki = provision.create_wiki(
            self.settings,
            self.registry,
            identity.user_id,
            slug,
            str(body.get("title", "")),
            public=bool(body.get("public", False)),
        )
        if self.register_resource is not None:
            # Claude.ai asks AuthKit for a token with this wiki's MCP URL as `resource`.
            self.register_resource(f"{self.settings.public_url}/{wiki.key}/mcp")
        return Response.json(201, self._wiki_json(wiki, "owner"))

    def get_wiki(self, request: Request, identity: Identity, owner: str, slug: str) -> Response:
        """One wiki's record, for anyone who may read it."""
        access = self._access(identity, owner, slug, "read")
        return Response.json(200, self._wiki_json(self.registry.get_wiki(owner, slug), access.role))

    def update_wiki(self, request: Request, identity: Identity, owner: str, slug: str) -> Response:
        """Change the title or the public flag (owner)."""
        self._access(identity, owner, slug, "manage")
        body = request.json()
        unknown = set(body) - {"title", "public"}
        if unknown:
            raise InvalidInput(f"Only 'title' and 'public' can change; not {sorted(unknown)}.")
        public = body.get("public")
        if public is not None and not isinstance(public, bool):
            raise InvalidInput("'public' must be true or false.")
        wiki = self.registry.update_wiki(owner, slug, title=body.get("title"), public=public)
        return Response.json(200, self._wiki_json(wiki, "owner"))

    def delete_wiki(self, request: Request, identity: Identity, owner: str, slug: str) -> Response:
        """Delete a wiki, its members, tokens and pages (owner)."""
        self._access(identity, owner, slug, "manage")
        if owner != identity.user_id:
            raise Forbidden("Only the wiki's creator can delete it.")
        provision.delete_wiki(self.settings, self.registry, owner, slug)
        return Response(204)

    def list_members(self, request: Request, identity: Identity, owner: str, slug: str) -> Response:
        """The owner and every member with their role (owner)."""
        self._access(identity, owner, slug, "manage")
        members = [{"user": owner, "role": "owner", "owner": True}] + [
            {"user": m.user_id, "role": m.role, "owner": False, "added_at": m.added_at}
            for m in self.registry.list_members(owner, slug)
        ]
        return Response.json(200, {"members": members})

    def add_member(self, request: Request, identity: Identity, owner: str, slug: str) -> Response:
        """Give a user (by id or email) a role, or change their role (owner)."""
        self._access(identity, owner, slug, "manage")
        body = request.json()
        role = policy.validate_role(str(body.get("role", "")))
        who = str(body.get("user", "")).strip()
        user = self.registry.find_user_by_email(who) if "@" in who else None
        if user is None:
            try:
                user = self.registry.get_user(who)
            except NotFound as exc:
                raise NotFound(
                    f"No user {who!r}: they must sign in once before they can be added."
                ) from exc
        member = self.registry.put_member(owner, slug, user.id, role)
        return Response.json(200, {"user": member.user_id, "role": member.role, "owner": False})

    def remove_member(
        self, request: Request, identity: Identity, owner: str, slug: str, user: str
    ) -> Response:
        """Take a user's role away and revoke their tokens for this wiki (owner)."""
        self._access(identity, owner, slug, "manage")
        self.registry.remove_member(owner, slug, user)
        revoked = self.registry.revoke_user_tokens(owner, slug, user)
        return Response.json(200, {"removed": user, "tokens_revoked": revoked})

    def list_wiki_tokens(
        self, request: Request, identity: Identity, owner: str, slug: str
    ) -> Response:
        """The caller's tokens for this wiki."""
        self._access(identity, owner, slug, "read")
        found = self.registry.list_tokens(identity.user_id, owner, slug)
        return Response.json(200, {"tokens": [_token_json(t) for t in found]})

    def create_token(self, request: Request, identity: Identity, owner: str, slug: str) -> Response:
        """Mint a token for this wiki; the secret is in this response only."""
        self._access(identity, owner, slug, "read")
        name = str(request.json().get("name", ""))[:100]
        token, secret = tokens.issue(
            self.registry, self.settings.token_key, identity.user_id, owner, slug, name
        )
        return Response.json(201, {**_token_json(token), "secret": secret})

    def list_tokens(self, request: Request, identity: Identity) -> Response:
        """Every token of the caller, revoked ones included."""
        found = self.registry.list_tokens(identity.user_id)
        return Response.json(200, {"tokens": [_token_json(t) for t in found]})

    def revoke_token(self, request: Request, identity: Identity, token_id: str) -> Response:
        """Revoke one of the caller's tokens."""
        self.registry.revoke_token(identity.user_id, token_id)
        return Response.json(200, {"revoked": token_id})


def _token_json(token: Token) -> dict[str, Any]:
    return {**asdict(token), "wiki": token.wiki_key, "live": token.revoked_at is None}
