"""The one place that reads the environment.

Everything below the handlers receives a `Settings` object; nothing else calls `os.environ`
(tests/unit/test_architecture.py holds that line). Explicit arguments beat the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

PREFIX = "WIKIBOT_"


# Lambda refuses a synchronous invocation whose event exceeds 6 MiB. API Gateway puts a binary
# body into the event base64-encoded (4/3 larger), so a 4 MiB body becomes 5.33 MiB and leaves
# 0.67 MiB for headers and request context: 4 MiB is the largest body that fits through every door.
# It is also the MCP SDK's own body cap, so the MCP gate refuses first, in JSON-RPC.
LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024
REQUEST_BYTES = 4 * 1024 * 1024
# An attachment travels base64 inside a JSON-RPC request (4/3 larger): 3,000,000 bytes become
# 4,000,000 characters, leaving 194,304 bytes for the JSON around them.
ATTACHMENT_BYTES = 3_000_000


@dataclass(frozen=True)
class Limits:
    """Size limits that protect the store and fit Lambda's payload; configurable per deployment.

    Attributes:
        max_page_bytes: Largest page (UTF-8 Markdown).
        max_attachment_bytes: Largest attachment; it must fit base64 in one request.
        max_request_bytes: Largest request body any door accepts (MCP, web, git push).
    """

    max_page_bytes: int = 1_000_000
    max_attachment_bytes: int = ATTACHMENT_BYTES
    max_request_bytes: int = REQUEST_BYTES


@dataclass(frozen=True)
class Settings:
    """Typed configuration for every wikibot process.

    Attributes:
        data_root: Folder holding `{user}/{wiki}/repo.git` (a local folder or the EFS mount).
        registry: Where users, wikis and tokens live: `sqlite:///path.db` or `dynamodb://table`.
        token_key: Secret for the keyed SHA-256 that stores API tokens (never logged).
        session_key: HS256 key for browser session cookies (shared with the CloudFront Function).
        public_url: Base URL users reach, used in printed URLs and OAuth metadata.
        authkit_domain: WorkOS AuthKit domain for OAuth (empty: bearer tokens only).
        workos_client_id: WorkOS client id for web sign-in (empty: local sign-in on loopback).
        workos_api_key: WorkOS API key (on AWS it comes from `workos_secret_arn` instead).
        workos_secret_arn: Secrets Manager secret holding `{"client_id", "api_key"}`.
        workos_api_url: WorkOS API base URL ("" = the SDK's default; tests use a fake).
        session_ttl_seconds: Lifetime of a browser session cookie (renewed while in use).
        plan_max_wikis: Wikis a user may own through the management API.
        plan_max_pages: Pages per wiki.
        plan_max_wiki_bytes: Bytes of pages and attachments per wiki.
        tracing: Send X-Ray traces (`WIKIBOT_TRACING=1`); off, `aws_xray_sdk` is never imported.
        limits: Size limits.
    """

    data_root: Path = Path(".wikibot")
    registry: str = ""
    token_key: str = field(default="", repr=False)
    session_key: str = field(default="", repr=False)
    public_url: str = "http://127.0.0.1:8000"
    authkit_domain: str = ""
    workos_client_id: str = ""
    workos_api_key: str = field(default="", repr=False)
    workos_secret_arn: str = ""
    workos_api_url: str = ""
    session_ttl_seconds: int = 8 * 3600
    plan_max_wikis: int = 1
    plan_max_pages: int = 10_000
    plan_max_wiki_bytes: int = 100_000_000
    tracing: bool = False
    limits: Limits = Limits()

    def with_(self, **changes: object) -> Settings:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)

    @property
    def registry_url(self) -> str:
        """Registry location, defaulting to a SQLite file inside the data root."""
        return self.registry or f"sqlite:///{self.data_root / 'registry.db'}"


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from `WIKIBOT_*` variables (the Lambda configuration or a shell)."""
    env = os.environ if env is None else env

    def get(name: str, default: str = "") -> str:
        return env.get(PREFIX + name, default)

    defaults = Limits()
    return Settings(
        data_root=Path(get("DATA", ".wikibot")),
        registry=get("REGISTRY"),
        token_key=get("TOKEN_KEY"),
        session_key=get("SESSION_KEY"),
        public_url=get("PUBLIC_URL", Settings.public_url).rstrip("/"),
        authkit_domain=get("AUTHKIT_DOMAIN").rstrip("/"),
        workos_client_id=get("WORKOS_CLIENT_ID"),
        workos_api_key=get("WORKOS_API_KEY"),
        workos_secret_arn=get("WORKOS_SECRET_ARN"),
        workos_api_url=get("WORKOS_API_URL").rstrip("/"),
        session_ttl_seconds=int(get("SESSION_TTL_SECONDS", str(Settings.session_ttl_seconds))),
        plan_max_wikis=int(get("PLAN_MAX_WIKIS", str(Settings.plan_max_wikis))),
        plan_max_pages=int(get("PLAN_MAX_PAGES", str(Settings.plan_max_pages))),
        plan_max_wiki_bytes=int(get("PLAN_MAX_WIKI_BYTES", str(Settings.plan_max_wiki_bytes))),
        tracing=get("TRACING").strip().lower() in ("1", "true", "yes", "on"),
        limits=Limits(
            max_page_bytes=int(get("MAX_PAGE_BYTES", str(defaults.max_page_bytes))),
            max_attachment_bytes=int(
                get("MAX_ATTACHMENT_BYTES", str(defaults.max_attachment_bytes))
            ),
            max_request_bytes=int(get("MAX_REQUEST_BYTES", str(defaults.max_request_bytes))),
        ),
    )


def to_dict(settings: Settings) -> dict:
    """JSON-safe form of `settings`, for handing them to another process explicitly."""
    data = {f.name: getattr(settings, f.name) for f in fields(settings)}
    data["data_root"] = str(settings.data_root)
    data["limits"] = asdict(settings.limits)
    return data


def from_dict(data: Mapping[str, object]) -> Settings:
    """The settings `to_dict` described (unknown keys are ignored, missing ones default)."""
    known = {f.name for f in fields(Settings)}
    values = {k: v for k, v in data.items() if k in known}
    values["data_root"] = Path(str(values.get("data_root", Settings.data_root)))
    values["limits"] = Limits(**dict(values.get("limits") or {}))
    return Settings(**values)


def to_env(settings: Settings) -> dict[str, str]:
    """The `WIKIBOT_*` variables that `from_env` turns back into these settings."""
    env = {
        "DATA": str(settings.data_root),
        "REGISTRY": settings.registry_url,
        "TOKEN_KEY": settings.token_key,
        "SESSION_KEY": settings.session_key,
        "PUBLIC_URL": settings.public_url,
        "AUTHKIT_DOMAIN": settings.authkit_domain,
        "WORKOS_CLIENT_ID": settings.workos_client_id,
        "WORKOS_API_KEY": settings.workos_api_key,
        "WORKOS_SECRET_ARN": settings.workos_secret_arn,
        "WORKOS_API_URL": settings.workos_api_url,
        "SESSION_TTL_SECONDS": str(settings.session_ttl_seconds),
        "PLAN_MAX_WIKIS": str(settings.plan_max_wikis),
        "PLAN_MAX_PAGES": str(settings.plan_max_pages),
        "PLAN_MAX_WIKI_BYTES": str(settings.plan_max_wiki_bytes),
        "TRACING": "1" if settings.tracing else "",
        "MAX_PAGE_BYTES": str(settings.limits.max_page_bytes),
        "MAX_ATTACHMENT_BYTES": str(settings.limits.max_attachment_bytes),
        "MAX_REQUEST_BYTES": str(settings.limits.max_request_bytes),
    }
    return {PREFIX + k: v for k, v in env.items()}


def worker_environment() -> dict[str, str]:
    """The environment for `wikibot dev`'s worker processes: this one, bytecode writes allowed.

    Deployed zips carry compiled bytecode, so local workers get a bytecode cache too; a
    `PYTHONDONTWRITEBYTECODE` here would make every cold start compile from source. Settings
    still travel to workers explicitly, never through these variables.
    """
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
