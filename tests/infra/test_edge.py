"""The CloudFront Function, run unchanged under njs and Node on tokens minted by Python.

The Python session code mints every token, so the edge rules and `wikibot.auth.session`
cannot drift apart. CloudFront's `cloudfront` module is replaced by tests/infra/cloudfront_shim.js
(an in-memory KeyValueStore); the function file is copied verbatim with one line appended,
`export default handler;`, because CloudFront calls `handler` by name while a test must import it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import jwt
import pytest

from wikibot.auth import session

ROOT = Path(__file__).resolve().parents[2]
FUNCTION = ROOT / "terraform/modules/edge/session_check.js"
HERE = Path(__file__).resolve().parent
KEY = "edge-test-session-key-0123456789abcdef"
OTHER_KEY = "another-session-key-0123456789abcdef!!"
ENGINES = ["njs", "node"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256(header: dict, claims: dict, key: str) -> str:
    """Sign with HMAC-SHA256 whatever the header says (to test the `alg` rule on its own)."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    sig = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(sig)}"


def _tokens(now: int) -> dict[str, str]:
    good = session.mint("u_alice", KEY, now=now)
    head, body, sig = good.split(".")
    evil_body = _b64(
        json.dumps({"sub": "u_mallory", "iat": now, "nbf": now, "exp": now + 600}).encode()
    )
    none_head = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    claims = {"sub": "u_alice", "iat": now, "nbf": now, "exp": now + 600}
    return {
        "valid": good,
        "tampered_payload": f"{head}.{evil_body}.{sig}",
        "tampered_signature": f"{head}.{body}.{sig[:-2]}{'AA' if sig[-2:] != 'AA' else 'BB'}",
        "expired": session.mint("u_alice", KEY, now=now - 7200, ttl_seconds=60),
        "not_yet_valid": session.mint("u_alice", KEY, now=now + 3600),
        "alg_none": f"{none_head}.{body}.",
        "alg_hs512": jwt.encode(claims, KEY * 2, algorithm="HS512"),
        "alg_mislabelled": _hs256({"alg": "HS384", "typ": "JWT"}, claims, KEY),
        "no_subject": _hs256({"alg": "HS256"}, {**claims, "sub": ""}, KEY),
        "float_exp": _hs256({"alg": "HS256"}, {**claims, "exp": now + 600.5}, KEY),
        "wrong_key": session.mint("u_alice", OTHER_KEY, now=now),
        "malformed_segments": "abc.def",
        "malformed_base64": "!!!.???.***",
        "malformed_json": f"{_b64(b'not json')}.{body}.{sig}",
        "empty": "",
    }


PASS_THROUGH = [
    ("GET", "/", {}),
    ("GET", "/favicon.ico", {}),
    ("POST", "/alice/notes/mcp", {}),
    ("GET", "/alice/notes/mcp/", {}),
    ("GET", "/.well-known/oauth-protected-resource/alice/notes/mcp", {}),
    ("GET", "/auth/login", {}),
    ("POST", "/auth/callback", {}),
    ("DELETE", "/api/wikis/notes", {}),
    ("GET", "/_static/otterwiki-2.26.1/css/otterwiki.css", {}),
    ("GET", "/alice/notes.git/info/refs", {"service": {"value": "git-upload-pack"}}),
    ("POST", "/alice/notes.git/git-receive-pack", {}),
]
# Look like pass-through paths but are private pages (or could be normalised into one).
NOT_PASS_THROUGH = [
    "/alice/notes",
    "/static/notes/Home",  # a wiki of a user named "static": no longer an asset path
    "/alice/notes/mcp/extra",
    "/alice/notes.git/../notes/Home",
    "/alice/notes/%2e%2e/Home",
    "/alice/mcp.git",
]


def _cases(now: int) -> list[dict]:
    cases = []
    for name, token in _tokens(now).items():
        for method in ("GET", "POST"):
            cases.append(
                {
                    "name": f"{name}:{method}",
                    "method": method,
                    "uri": "/alice/notes/Home",
                    "cookie": token,
                }
            )
    for method in ("GET", "HEAD", "PUT"):
        cases.append(
            {
                "name": f"missing:{method}",
                "method": method,
                "uri": "/alice/notes/Home",
                "cookie": None,
            }
        )
    cases.append(
        {
            "name": "missing:query",
            "method": "GET",
            "uri": "/alice/notes/Page",
            "querystring": {"rev": {"value": "abc"}, "x": {"value": "1"}},
            "cookie": None,
        }
    )
    for method, uri, qs in PASS_THROUGH:
        cases.append(
            {
                "name": f"public:{method}:{uri}",
                "method": method,
                "uri": uri,
                "querystring": qs,
                "cookie": None,
            }
        )
    for uri in NOT_PASS_THROUGH:
        cases.append({"name": f"private:{uri}", "method": "POST", "uri": uri, "cookie": None})
    return cases


def _expected(case: dict) -> dict:
    name, method = case["name"], case["method"]
    if name.startswith("valid:") or name.startswith("public:"):
        return {"action": "pass", "uri": case["uri"]}
    if method in ("GET", "HEAD"):
        qs = case.get("querystring") or {}
        next_ = case["uri"] + (
            "?" + "&".join(f"{k}={v['value']}" for k, v in qs.items()) if qs else ""
        )
        location = "/auth/login?next=" + quote(next_, safe="-_.!~*'()")
        return {"action": "refuse", "status": 302, "location": location}
    return {"action": "refuse", "status": 401, "location": None}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """A folder both engines can load: the function, the harness and the shim."""
    d = tmp_path_factory.mktemp("edge")
    (d / "package.json").write_text('{"type": "module"}\n')
    (d / "session_check.js").write_text(FUNCTION.read_text() + "\nexport default handler;\n")
    shutil.copy(HERE / "edge_harness.js", d / "edge_harness.js")
    shutil.copy(HERE / "cloudfront_shim.js", d / "cloudfront")  # njs: module name = file name
    pkg = d / "node_modules" / "cloudfront"
    pkg.mkdir(parents=True)
    (pkg / "package.json").write_text('{"type": "module", "main": "index.js"}\n')
    shutil.copy(HERE / "cloudfront_shim.js", pkg / "index.js")
    return d


def _run(engine: str, bundle: Path, spec: dict) -> dict[str, dict]:
    exe = shutil.which(engine)
    assert exe, f"{engine} is not installed: run .ci/infra-setup.sh"
    spec_file = bundle / f"spec-{engine}-{time.monotonic_ns()}.json"
    spec_file.write_text(json.dumps(spec))
    cmd = [exe, "-p", str(bundle)] if engine == "njs" else [exe]
    proc = subprocess.run(
        [*cmd, str(bundle / "edge_harness.js"), str(spec_file)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=bundle,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    lines = proc.stdout.strip().splitlines()
    assert lines and lines[-1] == f"DONE {len(spec['cases'])}", proc.stdout + proc.stderr
    results = [json.loads(line) for line in lines[:-1]]
    return {r.pop("name"): r for r in results}


@pytest.mark.parametrize("engine", ENGINES)
def test_edge_function_decisions(engine, bundle):
    cases = _cases(int(time.time()))
    results = _run(engine, bundle, {"key": KEY, "cases": cases})
    assert set(results) == {c["name"] for c in cases}
    wrong = {c["name"]: results[c["name"]] for c in cases if results[c["name"]] != _expected(c)}
    assert not wrong, json.dumps(wrong, indent=1)


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_kvs_key_fails_closed(engine, bundle):
    token = session.mint("u_alice", KEY)
    case = {
        "name": "valid_but_no_key",
        "method": "GET",
        "uri": "/alice/notes/Home",
        "cookie": token,
    }
    results = _run(engine, bundle, {"key": None, "cases": [case]})
    assert results["valid_but_no_key"]["action"] == "refuse"


def test_engines_agree(bundle):
    spec = {"key": KEY, "cases": _cases(int(time.time()))}
    assert _run("njs", bundle, spec) == _run("node", bundle, spec)


def test_function_source_is_under_10_kb():
    size = FUNCTION.stat().st_size
    assert 0 < size < 10 * 1024, size


def test_function_uses_runtime_modules_only():
    src = FUNCTION.read_text()
    imports = sorted(line for line in src.splitlines() if line.startswith("import "))
    assert imports == ["import cf from 'cloudfront';", "import crypto from 'crypto';"]
    assert "export " not in src and "require(" not in src
