"""AuthKit access tokens on MCP, and forged credentials of every kind, refused.

Keys come from the registry's JWKS cache, filled by the platform's sync from the fake AuthKit
(tests/fakes/authkit.py, a fake on loopback: WorkOS cannot be reached from here).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import jwt
import pytest

from fakes.authkit import FakeAuthKit
from wikibot.auth import Authorizer, session
from wikibot.auth.oauth import challenge, mcp_resource, protected_resource_metadata
from wikibot.errors import Forbidden, NotFound, Unauthorized
from wikibot.platform import jwks
from wikibot.registry.sqlite import SqliteRegistry
from wikibot.settings import Settings

KEY = "token-key-0123456789abcdef0123456789"
SESSION_KEY = "s" * 40
PUBLIC = "https://wikibot.example"


@pytest.fixture(scope="module")
def fake():
    server = FakeAuthKit().start()
    yield server
    server.stop()


class Clock:
    def __init__(self) -> None:
        self.t = 2_000_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def world(tmp_path: Path, fake: FakeAuthKit):
    settings = Settings(
        data_root=tmp_path,
        token_key=KEY,
        session_key=SESSION_KEY,
        public_url=PUBLIC,
        authkit_domain=fake.issuer,
    )
    reg = SqliteRegistry(tmp_path / "r.db", KEY)
    reg.create_user("alice", provider="workos", subject="user_ALICE")
    reg.create_user("bob", provider="workos", subject="user_BOB")
    reg.create_wiki("alice", "notes")
    reg.create_wiki("alice", "other")
    reg.put_member("alice", "notes", "bob", "editor")
    jwks.sync(settings, reg)
    refreshes: list[int] = []

    def refresh() -> None:
        refreshes.append(1)
        jwks.sync(settings, reg)

    clock = Clock()
    auth = Authorizer(reg, settings, refresh_jwks=refresh, clock=clock)
    yield settings, reg, auth, refreshes, clock
    reg.close()


def _aud(owner: str = "alice", slug: str = "notes") -> str:
    return f"{PUBLIC}/{owner}/{slug}/mcp"


def _b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_valid_token_resolves_to_the_members_role(world, fake):
    _, reg, auth, _, _ = world
    access = auth.resolve(fake.access_token("user_BOB", _aud()), "alice", "notes")
    assert (access.user_id, access.role, access.via) == ("bob", "editor", "oauth")
    owner = auth.resolve(fake.access_token("user_ALICE", [_aud(), "other"]), "alice", "notes")
    assert owner.role == "owner"
    reg.remove_member("alice", "notes", "bob")
    with pytest.raises(Forbidden):  # a live token stops working when the role goes
        auth.resolve(fake.access_token("user_BOB", _aud()), "alice", "notes")


def test_unknown_workos_user_is_told_to_sign_in(world, fake):
    _, _, auth, _, _ = world
    with pytest.raises(Forbidden, match="/auth/login"):
        auth.resolve(fake.access_token("user_STRANGER", _aud()), "alice", "notes")


def _forgeries(fake: FakeAuthKit) -> dict[str, str]:
    good = fake.access_token("user_ALICE", _aud())
    head, body, sig = good.split(".")
    claims = jwt.decode(good, options={"verify_signature": False})
    tampered = _b64({**claims, "sub": "user_BOB"})
    hs256_header = {"alg": "HS256", "typ": "JWT", "kid": fake.keys[0].kid}
    signing_input = f"{_b64(hs256_header)}.{body}".encode()
    import hashlib
    import hmac

    hs256_sig = hmac.new(fake.keys[0].public_pem, signing_input, hashlib.sha256).digest()
    return {
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': fake.keys[0].kid})}.{body}.",
        "HS256 with the RSA public key": f"{signing_input.decode()}.{_b64(hs256_sig)}",
        "wrong issuer": fake.access_token("user_ALICE", _aud(), issuer="https://evil.authkit.app"),
        "wrong audience (another wiki)": fake.access_token("user_ALICE", _aud("alice", "other")),
        "audience of the platform root": fake.access_token("user_ALICE", PUBLIC),
        "no audience": fake.access_token("user_ALICE", None),
        "expired": fake.access_token("user_ALICE", _aud(), ttl=-120),
        "no exp": fake.access_token("user_ALICE", _aud(), drop=("exp",)),
        "tampered payload": f"{head}.{tampered}.{sig}",
        "WorkOS web-session token": fake.session_token("user_ALICE"),
        "garbage": "a.b.c",
    }


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("alg none", "RS256"),
        ("HS256 with the RSA public key", "RS256"),
        ("wrong issuer", "another issuer"),
        ("wrong audience (another wiki)", "not issued for"),
        ("audience of the platform root", "not issued for"),
        ("no audience", '"aud"'),
        ("expired", "expired"),
        ("no exp", '"exp"'),
        ("tampered payload", "Signature"),
        ("WorkOS web-session token", '"aud"'),
        ("garbage", "Malformed"),
    ],
)
def test_forged_bearer_tokens_are_refused(world, fake, name, why):
    _, _, auth, _, _ = world
    token = _forgeries(fake)[name]
    with pytest.raises(Unauthorized, match=why):
        auth.resolve(token, "alice", "notes")


def test_unknown_kid_refreshes_at_most_once_a_minute(world, fake):
    _, _, auth, refreshes, clock = world
    stranger_key = type(fake.keys[0]).generate()  # never published anywhere
    forged = fake.access_token("user_ALICE", _aud(), key=stranger_key)
    with pytest.raises(Unauthorized, match="kid"):
        auth.resolve(forged, "alice", "notes")
    assert len(refreshes) == 1
    with pytest.raises(Unauthorized, match="kid"):
        auth.resolve(forged, "alice", "notes")
    assert len(refreshes) == 1  # within the minute: no second trip to the platform
    # AuthKit rotates: the new key is not cached, and the minute has not passed yet.
    new_key = fake.rotate()
    try:
        rotated = fake.access_token("user_ALICE", _aud(), key=new_key)
        with pytest.raises(Unauthorized, match="kid"):
            auth.resolve(rotated, "alice", "notes")
        clock.t += 60
        assert auth.resolve(rotated, "alice", "notes").role == "owner"
        assert len(refreshes) == 2
    finally:
        fake.keys.remove(new_key)


def test_a_cookie_signed_with_another_key_is_refused(world):
    _, _, auth, _, clock = world
    forged = session.mint("alice", "x" * 40, now=int(clock()))
    with pytest.raises(Unauthorized, match="Invalid session"):
        auth.resolve_session(forged, "alice", "notes")
    good = session.mint("alice", SESSION_KEY, now=int(clock()))
    assert auth.resolve_session(good, "alice", "notes").via == "session"
    expired = session.mint("alice", SESSION_KEY, ttl_seconds=60, now=int(clock()) - 120)
    with pytest.raises(Unauthorized, match="expired"):
        auth.resolve_session(expired, "alice", "notes")
    with pytest.raises(Unauthorized):  # a session cookie is not a bearer credential for MCP
        auth.resolve(good, "alice", "notes")


def test_protected_resource_metadata_and_challenge(fake):
    settings = Settings(public_url=PUBLIC, authkit_domain=fake.issuer)
    doc = protected_resource_metadata(settings, "alice", "notes")
    assert (
        doc["resource"] == f"{PUBLIC}/alice/notes/mcp" == mcp_resource(settings, "alice", "notes")
    )
    assert doc["authorization_servers"] == [fake.issuer]
    assert doc["bearer_methods_supported"] == ["header"]
    assert challenge(settings, "alice", "notes", presented=False) == (
        'Bearer realm="wikibot", resource_metadata='
        f'"{PUBLIC}/.well-known/oauth-protected-resource/alice/notes/mcp"'
    )
    assert 'error="invalid_token"' in challenge(settings, "alice", "notes", presented=True)
    bare = Settings(public_url=PUBLIC, authkit_domain="tenant.authkit.app")
    assert protected_resource_metadata(bare, "a", "b")["authorization_servers"] == [
        "https://tenant.authkit.app"
    ]
    with pytest.raises(NotFound):
        protected_resource_metadata(Settings(public_url=PUBLIC), "alice", "notes")
    assert challenge(Settings(), "alice", "notes", presented=False) == 'Bearer realm="wikibot"'


def _signed_with(fake: FakeAuthKit, digest: str, *, key=None) -> str:
    """A token whose header says RS256 but whose PKCS#1 v1.5 signature uses `digest`."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    good = fake.access_token("user_ALICE", _aud())
    head, body, _ = good.split(".")
    signer = (key or fake.keys[0]).private
    algorithm = {"SHA1": hashes.SHA1(), "SHA256": hashes.SHA256(), "SHA512": hashes.SHA512()}
    signature = signer.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), algorithm[digest])
    return f"{head}.{body}.{_b64(signature)}"


def test_rs256_signatures_verify_with_the_pure_python_rsa_package(world, fake):
    _, _, auth, _, _ = world
    # Signed by cryptography (as AuthKit signs), verified by `rsa`.
    assert auth.resolve(_signed_with(fake, "SHA256"), "alice", "notes").role == "owner"
    head, body, sig = fake.access_token("user_ALICE", _aud()).split(".")
    raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    raw[-1] ^= 1
    refused = {
        "one flipped signature bit": f"{head}.{body}.{_b64(bytes(raw))}",
        "a truncated signature": f"{head}.{body}.{_b64(bytes(raw[:-1]))}",
        # The same key over the same bytes with another DigestInfo hash: not RS256.
        "a SHA-1 signature": _signed_with(fake, "SHA1"),
        "a SHA-512 signature": _signed_with(fake, "SHA512"),
        "another key under a published kid": _signed_with(
            fake, "SHA256", key=type(fake.keys[0]).generate()
        ),
    }
    for name, token in refused.items():
        with pytest.raises(Unauthorized, match="Signature verification failed"):
            auth.resolve(token, "alice", "notes")
        assert name


def test_published_keys_that_are_not_rs256_keys_are_ignored(world, fake):
    from wikibot.auth.authkit import public_key

    jwk = fake.keys[0].jwk
    assert public_key(jwk).n.bit_length() == 2048
    short = {**jwk, "n": _b64((2**1023 + 1).to_bytes(128, "big"))}
    for bad in (short, {**jwk, "e": "AAAC"}, {**jwk, "kty": "EC"}, {**jwk, "n": 5}):
        with pytest.raises((ValueError, TypeError)):
            public_key(bad)


VERIFY_WITHOUT_CRYPTOGRAPHY = """
import json, sys
sys.modules["cryptography"] = None  # as in the Lambda zip: importing it fails
from wikibot.auth.authkit import AuthKitVerifier
from wikibot.registry.base import Jwks
class Registry:
    def get_jwks(self, issuer):
        return Jwks(issuer, json.loads(sys.argv[1]), None, None)
token, audience, issuer = sys.argv[2:5]
claims = AuthKitVerifier(Registry(), issuer).verify(token, audience)
head, body, sig = token.split(".")
try:
    AuthKitVerifier(Registry(), issuer).verify(f"{head}.{body}.{sig[:-2]}AA", audience)
    refused = False
except Exception as exc:
    refused = "Signature" in str(exc)
loaded = sorted(m for m in sys.modules if m.split(".")[0] == "cryptography" and sys.modules[m])
print(json.dumps({"sub": claims["sub"], "refused": refused, "loaded": loaded}))
"""


def test_tokens_verify_where_cryptography_is_not_installed(fake):
    import subprocess
    import sys

    token = fake.access_token("user_ALICE", _aud())
    keys = json.dumps([k.jwk for k in fake.keys])
    out = subprocess.run(
        [sys.executable, "-c", VERIFY_WITHOUT_CRYPTOGRAPHY, keys, token, _aud(), fake.issuer],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"sub": "user_ALICE", "refused": True, "loaded": []}
