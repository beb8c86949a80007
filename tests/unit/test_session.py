import base64
import hashlib
import hmac
import json

import jwt
import pytest

from wikibot.auth import session
from wikibot.errors import InvalidInput, Unauthorized

KEY = "k" * 40
NOW = 1_700_000_000


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forge(header: dict, payload: dict, key: str = KEY) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    sig = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(sig)}"


def test_round_trip_carries_subject_times_and_extra_claims():
    token = session.mint("u_alice", KEY, ttl_seconds=60, now=NOW, claims={"email": "a@x.io"})
    claims = session.verify(token, KEY, now=NOW + 59)
    assert claims == {"sub": "u_alice", "iat": NOW, "nbf": NOW, "exp": NOW + 60, "email": "a@x.io"}
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


def test_default_lifetime_is_twelve_hours():
    claims = session.verify(session.mint("u", KEY, now=NOW), KEY, now=NOW)
    assert claims["exp"] - claims["iat"] == 43200


@pytest.mark.parametrize(
    ("at", "message"),
    [(NOW + 60, "expired"), (NOW + 10_000, "expired"), (NOW - 1, "not valid yet")],
)
def test_time_window_is_nbf_inclusive_exp_exclusive(at, message):
    token = session.mint("u", KEY, ttl_seconds=60, now=NOW)
    with pytest.raises(Unauthorized, match=message):
        session.verify(token, KEY, now=at)


def test_wrong_key_is_refused():
    token = session.mint("u", KEY, now=NOW)
    with pytest.raises(Unauthorized, match="Invalid session token"):
        session.verify(token, "w" * 40, now=NOW)


def test_tampered_payload_is_refused():
    token = session.mint("u", KEY, now=NOW)
    head, _, sig = token.split(".")
    evil = _b64(json.dumps({"sub": "admin", "iat": NOW, "nbf": NOW, "exp": NOW + 99}).encode())
    with pytest.raises(Unauthorized):
        session.verify(f"{head}.{evil}.{sig}", KEY, now=NOW)


def test_alg_none_and_other_algorithms_are_refused():
    payload = {"sub": "u", "iat": NOW, "nbf": NOW, "exp": NOW + 60}
    body = _b64(json.dumps(payload).encode())
    unsigned = f"{_b64(json.dumps({'alg': 'none', 'typ': 'JWT'}).encode())}.{body}."
    with pytest.raises(Unauthorized, match="HS256"):
        session.verify(unsigned, KEY, now=NOW)
    hs512 = jwt.encode(payload, KEY * 2, algorithm="HS512")
    with pytest.raises(Unauthorized, match="HS256"):
        session.verify(hs512, KEY * 2, now=NOW)


def test_missing_required_claim_is_refused():
    token = _forge({"alg": "HS256", "typ": "JWT"}, {"sub": "u", "iat": NOW, "exp": NOW + 60})
    with pytest.raises(Unauthorized, match="nbf"):
        session.verify(token, KEY, now=NOW)


def test_non_integer_times_are_refused():
    token = _forge({"alg": "HS256"}, {"sub": "u", "iat": NOW, "nbf": NOW, "exp": "9999999999"})
    with pytest.raises(Unauthorized):
        session.verify(token, KEY, now=NOW)


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c", "....", "eyJ.eyJ.x"])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(Unauthorized):
        session.verify(token, KEY, now=NOW)


def test_short_key_is_a_configuration_error():
    with pytest.raises(InvalidInput, match="32 bytes"):
        session.mint("u", "short", now=NOW)
    with pytest.raises(InvalidInput, match="32 bytes"):
        session.verify("a.b.c", "short", now=NOW)


@pytest.mark.parametrize("reserved", ["sub", "exp", "nbf", "iat"])
def test_claims_cannot_override_reserved(reserved):
    with pytest.raises(InvalidInput, match=reserved):
        session.mint("u", KEY, now=NOW, claims={reserved: 1})


def test_bad_mint_arguments():
    with pytest.raises(InvalidInput):
        session.mint("", KEY)
    with pytest.raises(InvalidInput):
        session.mint("u", KEY, ttl_seconds=0)


def test_cookie_name():
    assert session.COOKIE_NAME == "wikibot_session"
