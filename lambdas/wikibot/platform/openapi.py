"""The OpenAPI 3.1 document of the management API, served at `/api/openapi.json`.

Written by hand (it is the contract clients read); tests/functional/test_platform_api.py checks
that it lists exactly the routes `wikibot.platform.api.ROUTES` serves.
"""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "Invalid input: the message says what to send.",
        401: "Not signed in (or the session expired): sign in at /auth/login.",
        403: "Signed in, but your role on this wiki does not allow this (or you cannot see it).",
        404: "No such user, member or token.",
        409: "Already exists, or a plan limit would be exceeded.",
    }
    return {str(c): _json(_ERROR, text[c]) for c in codes}


def _op(summary: str, ok: dict, *codes: int, body: dict | None = None, params=()) -> dict:
    op: dict[str, Any] = {"summary": summary, "responses": {**ok, **_errors(401, *codes)}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        op["parameters"] = [
            {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
            for p in params
        ]
    return op


_REF = {name: {"$ref": f"#/components/schemas/{name}"} for name in ("Wiki", "Member", "Token")}
WIKI = ("owner", "slug")


def document(public_url: str) -> dict[str, Any]:
    """The OpenAPI document for a deployment at `public_url`."""
    wiki, member, token = _REF["Wiki"], _REF["Member"], _REF["Token"]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "wikibot management API",
            "version": "1",
            "description": "Wikis, members and API tokens. Authenticate with the browser "
            "session cookie `wikibot_session` (sign in at /auth/login). Bodies are JSON.",
        },
        "servers": [{"url": public_url}],
        "components": {
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "wikibot_session"}
            },
            "schemas": {
                "Error": {"type": "object", "properties": {"error": {"type": "string"}}},
                "Wiki": {
                    "type": "object",
                    "properties": {
                        k: {"type": t}
                        for k, t in {
                            "owner": "string",
                            "slug": "string",
                            "key": "string",
                            "title": "string",
                            "public": "boolean",
                            "role": "string",
                            "page_count": "integer",
                            "bytes": "integer",
                            "created_at": "string",
                            "updated_at": "string",
                            "mcp_url": "string",
                            "web_url": "string",
                            "git_url": "string",
                        }.items()
                    },
                },
                "Member": {
                    "type": "object",
                    "properties": {
                        "user": {"type": "string"},
                        "role": {"enum": ["viewer", "editor", "owner"]},
                        "owner": {"type": "boolean"},
                    },
                },
                "Token": {
                    "type": "object",
                    "properties": {
                        k: {"type": t}
                        for k, t in {
                            "id": "string",
                            "wiki": "string",
                            "name": "string",
                            "live": "boolean",
                            "created_at": "string",
                            "last_used_at": "string",
                            "revoked_at": "string",
                            "secret": "string",
                        }.items()
                    },
                },
            },
        },
        "security": [{"session": []}],
        "paths": {
            "/api/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1"}},
                }
            },
            "/api/me": {
                "get": _op("The signed-in user and plan limits", {"200": _json({}, "You")})
            },
            "/api/wikis": {
                "get": _op(
                    "Wikis you own and wikis shared with you",
                    {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {"wikis": {"type": "array", "items": wiki}},
                            },
                            "Wikis",
                        )
                    },
                ),
                "post": _op(
                    "Create a wiki with the starter pages",
                    {"201": _json(wiki, "Created")},
                    400,
                    409,
                    body={
                        "type": "object",
                        "required": ["slug"],
                        "properties": {
                            "slug": {"type": "string"},
                            "title": {"type": "string"},
                            "public": {"type": "boolean"},
                        },
                    },
                ),
            },
            "/api/wikis/{owner}/{slug}": {
                "get": _op("One wiki (read)", {"200": _json(wiki, "Wiki")}, 403, params=WIKI),
                "patch": _op(
                    "Change title or public flag (owner)",
                    {"200": _json(wiki, "Updated")},
                    400,
                    403,
                    body={
                        "type": "object",
                        "properties": {"title": {"type": "string"}, "public": {"type": "boolean"}},
                    },
                    params=WIKI,
                ),
                "delete": _op(
                    "Delete the wiki, its members, tokens and pages (owner)",
                    {"204": {"description": "Deleted"}},
                    403,
                    params=WIKI,
                ),
            },
            "/api/wikis/{owner}/{slug}/members": {
                "get": _op(
                    "The owner and members with roles (owner)",
                    {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {"members": {"type": "array", "items": member}},
                            },
                            "Members",
                        )
                    },
                    403,
                    params=WIKI,
                ),
                "post": _op(
                    "Give a user (id or email) a role, or change it (owner)",
                    {"200": _json(member, "Member")},
                    400,
                    403,
                    404,
                    body={
                        "type": "object",
                        "required": ["user", "role"],
                        "properties": {
                            "user": {"type": "string"},
                            "role": {"enum": ["viewer", "editor", "owner"]},
                        },
                    },
                    params=WIKI,
                ),
            },
            "/api/wikis/{owner}/{slug}/members/{user}": {
                "delete": _op(
                    "Remove a member and revoke their tokens for the wiki (owner)",
                    {"200": _json({}, "Removed")},
                    403,
                    404,
                    params=(*WIKI, "user"),
                )
            },
            "/api/wikis/{owner}/{slug}/tokens": {
                "get": _op(
                    "Your tokens for this wiki",
                    {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {"tokens": {"type": "array", "items": token}},
                            },
                            "Tokens",
                        )
                    },
                    403,
                    params=WIKI,
                ),
                "post": _op(
                    "Mint a token for this wiki; `secret` is shown once",
                    {"201": _json(token, "Token with its secret")},
                    400,
                    403,
                    body={"type": "object", "properties": {"name": {"type": "string"}}},
                    params=WIKI,
                ),
            },
            "/api/tokens": {
                "get": _op(
                    "All your tokens",
                    {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {"tokens": {"type": "array", "items": token}},
                            },
                            "Tokens",
                        )
                    },
                )
            },
            "/api/tokens/{token_id}": {
                "delete": _op(
                    "Revoke one of your tokens",
                    {"200": _json({}, "Revoked")},
                    404,
                    params=("token_id",),
                )
            },
        },
    }
