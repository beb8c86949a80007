"""A FAKE WorkOS AuthKit + WorkOS API on loopback, for tests only. It is not WorkOS.

WorkOS cannot be reached from here, so tests stand this server up on 127.0.0.1 at a free port.
It holds its own RSA keys and speaks the shapes WorkOS documents:

- AuthKit (the OAuth authorization server, issuer = this server's base URL):
  `/.well-known/oauth-authorization-server` (metadata, CIMD + DCR advertised),
  `/oauth2/jwks` (the JWKS), `/oauth2/authorize` + `/oauth2/token` (authorization code + PKCE S256
  with an RFC 8707 `resource`; the sign-in screen is skipped: the user set by `sign_in_as` is
  approved at once). Access tokens: RS256, header `kid`, claims `iss`, `sub` (`user_...`),
  `aud` (the resource), `exp`, `iat`, `jti`, `sid`.
- The WorkOS API (the `workos` SDK's `base_url`): `GET /user_management/authorize` (redirects
  back with a code), `POST /user_management/authenticate` (code -> user + web-session access
  token, whose issuer is `https://api.workos.com/user_management/<client_id>` and has no `aud`,
  as WorkOS's session tokens do), `POST /user_management/authkit_oauth_resources`.

Helpers mint tokens directly (`access_token`, `session_token`) so tests can forge variants.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

NOW_ISO = "2026-01-01T00:00:00.000Z"


@dataclass
class SigningKey:
    """One RSA key pair and its `kid`."""

    kid: str
    private: Any = field(repr=False)

    @classmethod
    def generate(cls) -> SigningKey:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return cls("key_" + secrets.token_hex(8), private)

    @property
    def jwk(self) -> dict:
        data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**data, "kid": self.kid, "use": "sig", "alg": "RS256"}

    @property
    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def workos_user(user_id: str, email: str, first: str = "Test", last: str = "User") -> dict:
    """A WorkOS `user` object with every field the SDK's `User.from_dict` reads."""
    return {
        "object": "user",
        "id": user_id,
        "email": email,
        "email_verified": True,
        "first_name": first,
        "last_name": last,
        "profile_picture_url": None,
        "external_id": None,
        "last_sign_in_at": NOW_ISO,
        "created_at": NOW_ISO,
        "updated_at": NOW_ISO,
        "metadata": {},
    }


class FakeAuthKit:
    """The fake; `start()` it, use `base_url`, `stop()` it."""

    def __init__(self, client_id: str = "client_fake01", api_key: str = "sk_test_fake") -> None:
        self.client_id = client_id
        self.api_key = api_key
        self.keys = [SigningKey.generate()]
        self.user = workos_user("user_01FAKEALICE", "alice@example.com", "Alice", "Example")
        self.resources: list[dict] = []
        self.jwks_fetches = 0
        self._codes: dict[str, dict] = {}
        self._server: ThreadingHTTPServer | None = None
        self.base_url = ""

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeAuthKit:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        host, port = self._server.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- identities and keys ---------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return self.base_url

    @property
    def session_issuer(self) -> str:
        return f"https://api.workos.com/user_management/{self.client_id}"

    def sign_in_as(self, user_id: str, email: str, first: str = "Test", last: str = "User") -> None:
        """The user the next authorize request approves (the fake's sign-in screen)."""
        self.user = workos_user(user_id, email, first, last)

    def rotate(self) -> SigningKey:
        """Add a new signing key (published in the JWKS) and sign with it from now on."""
        self.keys.insert(0, SigningKey.generate())
        return self.keys[0]

    def jwks(self) -> dict:
        return {"keys": [k.jwk for k in self.keys]}

    # -- tokens ------------------------------------------------------------------------------

    def access_token(
        self,
        sub: str,
        aud: str | list[str] | None,
        *,
        ttl: int = 3600,
        key: SigningKey | None = None,
        issuer: str | None = None,
        drop: tuple[str, ...] = (),
        extra: dict | None = None,
    ) -> str:
        """An AuthKit MCP access token (RS256); `drop` removes claims to forge variants."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer or self.issuer,
            "sub": sub,
            "aud": aud,
            "exp": now + ttl,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "sid": "session_" + secrets.token_hex(6),
            **(extra or {}),
        }
        for name in drop:
            claims.pop(name, None)
        if claims.get("aud") is None:
            claims.pop("aud", None)
        signer = key or self.keys[0]
        return jwt.encode(claims, signer.private, algorithm="RS256", headers={"kid": signer.kid})

    def session_token(self, sub: str) -> str:
        """A WorkOS web-session access token: issuer api.workos.com, no `aud`."""
        now = int(time.time())
        claims = {
            "iss": self.session_issuer,
            "sub": sub,
            "sid": "session_" + secrets.token_hex(6),
            "jti": uuid.uuid4().hex,
            "org_id": None,
            "role": "member",
            "permissions": [],
            "exp": now + 300,
            "iat": now,
        }
        key = self.keys[0]
        return jwt.encode(claims, key.private, algorithm="RS256", headers={"kid": key.kid})

    def _new_code(self, **data: Any) -> str:
        code = "code_" + secrets.token_urlsafe(16)
        self._codes[code] = data
        return code

    def _take_code(self, code: str) -> dict | None:
        return self._codes.pop(code, None)


class _Handler(BaseHTTPRequestHandler):
    owner: FakeAuthKit

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: Any = None, headers: dict | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _redirect(self, url: str) -> None:
        self._send(302, None, {"location": url})

    def _body(self) -> dict:
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        if self.headers.get("content-type", "").startswith("application/json"):
            return json.loads(raw or b"{}")
        return {k: v[0] for k, v in parse_qs(raw.decode()).items()}

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        fake = self.owner
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/oauth2/jwks":
            fake.jwks_fetches += 1
            return self._send(200, fake.jwks())
        if url.path == "/.well-known/oauth-authorization-server":
            base = fake.base_url
            return self._send(
                200,
                {
                    "issuer": base,
                    "authorization_endpoint": f"{base}/oauth2/authorize",
                    "token_endpoint": f"{base}/oauth2/token",
                    "registration_endpoint": f"{base}/oauth2/register",
                    "jwks_uri": f"{base}/oauth2/jwks",
                    "response_types_supported": ["code"],
                    "grant_types_supported": ["authorization_code", "refresh_token"],
                    "code_challenge_methods_supported": ["S256"],
                    "token_endpoint_auth_methods_supported": [
                        "none",
                        "client_secret_post",
                        "client_secret_basic",
                    ],
                    "client_id_metadata_document_supported": True,
                },
            )
        if url.path == "/oauth2/authorize":
            # The MCP client's authorization request; the user is approved without a screen.
            if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
                return self._send(400, {"error": "invalid_request", "error_description": "PKCE"})
            code = fake._new_code(
                kind="oauth",
                sub=fake.user["id"],
                resource=query.get("resource"),
                challenge=query["code_challenge"],
                redirect_uri=query["redirect_uri"],
            )
            sep = "&" if "?" in query["redirect_uri"] else "?"
            state = {"state": query["state"]} if "state" in query else {}
            return self._redirect(query["redirect_uri"] + sep + urlencode({"code": code, **state}))
        if url.path == "/user_management/authorize":
            if query.get("client_id") != fake.client_id:
                return self._send(400, {"error": "invalid_client"})
            code = fake._new_code(kind="web", user=dict(fake.user))
            target = (
                query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
            )
            return self._redirect(target)
        return self._send(404, {"error": "not_found", "path": url.path})

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        fake = self.owner
        url = urlparse(self.path)
        body = self._body()
        if url.path == "/oauth2/token":
            data = fake._take_code(body.get("code", ""))
            verifier = body.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if (
                data is None
                or data["kind"] != "oauth"
                or digest.rstrip(b"=").decode() != data["challenge"]
            ):
                return self._send(400, {"error": "invalid_grant"})
            resource = body.get("resource") or data["resource"]
            token = fake.access_token(data["sub"], resource)
            return self._send(
                200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
            )
        if url.path == "/user_management/authenticate":
            if body.get("client_id") != fake.client_id or body.get("client_secret") != fake.api_key:
                return self._send(401, {"error": "invalid_client", "message": "Bad credentials"})
            data = fake._take_code(body.get("code", ""))
            if data is None or data["kind"] != "web":
                return self._send(
                    400, {"error": "invalid_grant", "error_description": "The code is invalid."}
                )
            user = data["user"]
            return self._send(
                200,
                {
                    "user": user,
                    "organization_id": None,
                    "access_token": fake.session_token(user["id"]),
                    "refresh_token": secrets.token_urlsafe(24),
                    "authentication_method": "Password",
                },
            )
        if url.path == "/user_management/authkit_oauth_resources":
            if self.headers.get("authorization") != f"Bearer {fake.api_key}":
                return self._send(401, {"message": "Unauthorized"})
            if any(r["uri"] == body["uri"] for r in fake.resources):
                return self._send(422, {"code": "duplicate", "message": "exists"})
            resource = {
                "object": "authkit_oauth_resource",
                "id": "authkit_oauth_resource_" + secrets.token_hex(6),
                "uri": body["uri"],
                "default": bool(body.get("default", False)),
                "created_at": NOW_ISO,
                "updated_at": NOW_ISO,
            }
            fake.resources.append(resource)
            return self._send(201, resource)
        return self._send(404, {"error": "not_found", "path": url.path})
