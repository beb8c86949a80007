"""`wikibot dev`: the whole platform on one machine, through the real Lambda handlers.

The data folder keeps everything: `registry.db`, the wikis, `secrets.json` (the local token and
session keys) and `dev.json` (the first token, so every start can print it). Both JSON files are
created with mode 0600.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from wikibot.provision import create_wiki
from wikibot.registry import open_registry
from wikibot.settings import Settings, from_env

DEV_USER, DEV_WIKI = "dev", "notes"


@dataclass(frozen=True)
class DevSetup:
    """What a first run created (or a later run found)."""

    settings: Settings
    user: str
    wiki: str
    token: str
    created: bool


def _private_json(path: Path, make: dict) -> dict:
    if path.exists():
        return json.loads(path.read_text())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(make, f, indent=2)
    return make


def local_settings(
    data: Path | None = None, public_url: str | None = None, *, base: Settings | None = None
) -> Settings:
    """Settings for a local data folder, creating the folder and its keys on first use.

    Args:
        data: The data folder; None keeps `base`'s (`WIKIBOT_DATA`, else `./.wikibot`).
        public_url: Base URL to print and advertise; None keeps `base`'s.
        base: Settings to start from; default `from_env()`, so a user's own `WIKIBOT_*`
            variables hold unless an explicit argument overrides them. Keys missing there come
            from `{data}/secrets.json` (created 0600).
    """
    base = from_env() if base is None else base
    root = (data if data is not None else base.data_root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    keys = _private_json(
        root / "secrets.json",
        {"token_key": secrets.token_urlsafe(32), "session_key": secrets.token_urlsafe(32)},
    )
    return base.with_(
        data_root=root,
        token_key=base.token_key or keys["token_key"],
        session_key=base.session_key or keys["session_key"],
        public_url=(public_url or base.public_url).rstrip("/"),
    )


def prepare(data: Path | None, public_url: str | None, base: Settings | None = None) -> DevSetup:
    """Create the data folder, keys, a first user, wiki and token on first run."""
    settings = local_settings(data, public_url, base=base)
    data = settings.data_root
    state_file = data / "dev.json"
    if state_file.exists():
        state = json.loads(state_file.read_text())
        return DevSetup(settings, state["user"], state["wiki"], state["token"], False)
    registry = open_registry(settings)
    registry.create_user(DEV_USER, "dev@localhost", "Developer")
    create_wiki(settings, registry, DEV_USER, DEV_WIKI, "Notes")
    _, token = registry.create_token(DEV_USER, DEV_USER, DEV_WIKI, "wikibot dev")
    _private_json(state_file, {"user": DEV_USER, "wiki": DEV_WIKI, "token": token})
    return DevSetup(settings, DEV_USER, DEV_WIKI, token, True)


def urls(base: str, user: str, wiki: str) -> dict[str, str]:
    """The addresses `wikibot dev` prints for one wiki."""
    return {
        "base_url": base,
        "web_url": f"{base}/{user}/{wiki}/",
        "mcp_url": f"{base}/{user}/{wiki}/mcp",
        "git_url": f"{base}/{user}/{wiki}.git",
    }
