"""The WorkOS side of sign-in, through the `workos` SDK (v10: `WorkOSClient`, `*Error`s).

Only the platform Lambda talks to WorkOS (it runs outside the VPC). The SDK is imported when
the first client is built, so the other Lambdas never load it. Tests point `workos_api_url` at
the fake on loopback (tests/fakes/authkit.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from wikibot.errors import Unauthorized, WikibotError
from wikibot.settings import Settings


@dataclass(frozen=True)
class SignedIn:
    """Who WorkOS says signed in."""

    subject: str
    email: str
    name: str


class WorkOSAuth:
    """Authorization URL, code exchange and resource indicators for one WorkOS environment.

    Args:
        client_id: WorkOS client id.
        api_key: WorkOS API key (the client secret of the code exchange).
        api_url: WorkOS API base URL ("" for the SDK's default, https://api.workos.com).
    """

    def __init__(self, client_id: str, api_key: str, api_url: str = "") -> None:
        from workos import WorkOSClient

        self._client = WorkOSClient(
            api_key=api_key, client_id=client_id, base_url=api_url or None, max_retries=1
        )

    def authorization_url(self, redirect_uri: str, state: str) -> str:
        """Where to send the browser: AuthKit's hosted sign-in."""
        return self._client.user_management.get_authorization_url(
            provider="authkit", redirect_uri=redirect_uri, state=state
        )

    def authenticate(self, code: str) -> SignedIn:
        """Exchange the callback's code for the user.

        Raises:
            Unauthorized: WorkOS refused the code (used, expired, or for another client).
        """
        from workos._errors import WorkOSError

        try:
            response = self._client.user_management.authenticate_with_code(code=code)
        except WorkOSError as exc:
            reason = type(exc).__name__
            raise Unauthorized(f"Sign-in failed at WorkOS ({reason}); try again.") from exc
        user = response.user
        name = user.name or " ".join(p for p in (user.first_name, user.last_name) if p)
        return SignedIn(subject=user.id, email=user.email or "", name=name)

    def register_resource(self, uri: str) -> None:
        """Register a wiki's MCP URL as an AuthKit resource indicator (RFC 8707).

        Raises:
            WikibotError: WorkOS refused for another reason than "already registered".
        """
        from workos._errors import UnprocessableEntityError, WorkOSError

        try:
            self._client.user_management.create_authkit_oauth_resource(uri=uri)
        except UnprocessableEntityError:
            return  # already registered: the goal holds
        except WorkOSError as exc:
            raise WikibotError(f"Could not register {uri} with AuthKit: {exc}") from exc


def credentials(settings: Settings) -> tuple[str, str]:
    """The WorkOS client id and API key: from settings, or from the Secrets Manager secret.

    On AWS, Terraform gives the platform Lambda only the secret's ARN
    (`WIKIBOT_WORKOS_SECRET_ARN`); the secret holds `{"client_id": ..., "api_key": ...}`.
    """
    if settings.workos_api_key or not settings.workos_secret_arn:
        return settings.workos_client_id, settings.workos_api_key
    import boto3

    client = boto3.client("secretsmanager")
    secret: dict[str, Any] = json.loads(
        client.get_secret_value(SecretId=settings.workos_secret_arn)["SecretString"]
    )
    return secret.get("client_id") or settings.workos_client_id, secret["api_key"]
