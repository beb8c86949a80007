"""The one access policy: permissions, roles, and the role a user holds on a wiki.

Every door (MCP, web, git, management API) asks the same questions through `Access.require`:

| role   | read | write | delete | upload | manage | Otterwiki              |
|--------|------|-------|--------|--------|--------|------------------------|
| viewer | yes  |       |        |        |        | READ                   |
| editor | yes  | yes   | yes    | yes    |        | READ WRITE UPLOAD      |
| owner  | yes  | yes   | yes    | yes    | yes    | READ WRITE UPLOAD ADMIN|

`manage` covers members, other people's tokens, the public flag and deleting the wiki. A public
wiki is readable by anyone (anonymous callers get `viewer`). A wiki's owner (the wiki record's
`owner`) is always `owner`; everyone else holds the role of their membership, or nothing.
"""

from __future__ import annotations

from wikibot.errors import InvalidInput
from wikibot.registry.base import Registry, Wiki

PERMISSIONS = ("read", "write", "delete", "upload", "manage")
ROLES: dict[str, frozenset[str]] = {
    "viewer": frozenset({"read"}),
    "editor": frozenset({"read", "write", "delete", "upload"}),
    "owner": frozenset(PERMISSIONS),
}
# Otterwiki's permission words for each of ours (its READ/WRITE/UPLOAD/ADMIN model).
OTTERWIKI = {"read": "READ", "write": "WRITE", "upload": "UPLOAD", "manage": "ADMIN"}
# Older action names, kept while callers move over: "admin" was what "manage" is now.
ALIASES = {"admin": "manage"}
ANONYMOUS = "anonymous"


def permission(name: str) -> str:
    """Return the canonical permission for `name` (aliases mapped).

    Raises:
        InvalidInput: Not a permission wikibot knows (a programming error at the call site).
    """
    canonical = ALIASES.get(name, name)
    if canonical not in PERMISSIONS:
        raise InvalidInput(f"unknown permission {name!r}; use one of {', '.join(PERMISSIONS)}")
    return canonical


def validate_role(role: str) -> str:
    """Return `role` if it is a known role, else raise `InvalidInput` naming the choices."""
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return role


def allows(role: str | None, name: str) -> bool:
    """Whether `role` grants permission `name`."""
    return role is not None and permission(name) in ROLES.get(role, ())


def otterwiki_permissions(role: str | None) -> str:
    """Otterwiki's permission words for a role, e.g. `"READ WRITE UPLOAD"` for an editor."""
    granted = ROLES.get(role or "", frozenset())
    return " ".join(word for perm, word in OTTERWIKI.items() if perm in granted)


def role_of(registry: Registry, wiki: Wiki, user_id: str) -> str | None:
    """The role `user_id` holds on `wiki`: owner by the wiki record, else their membership.

    An unknown role stored in the registry grants nothing rather than failing open.
    """
    if not user_id:
        return None
    if wiki.owner == user_id:
        return "owner"
    member = registry.get_member(wiki.owner, wiki.slug, user_id)
    if member is None or member.role not in ROLES:
        return None
    return member.role
