"""A `wikibot dev` wired to the fake AuthKit/WorkOS, and a cookie-keeping browser for it.

Used by the isolation matrix and Claude.ai's discovery test (tests/e2e/test_isolation*.py,
tests/e2e/test_oauth*.py). Everything runs on loopback: `wikibot dev` (the real handlers in
worker processes) and `FakeAuthKit` (a fake; WorkOS cannot be reached from here).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlparse

from fakes.authkit import FakeAuthKit

WIKIBOT = str(Path(sys.executable).parent / "wikibot")
ACCEPT = "application/json, text/event-stream"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def http(
    method: str, url: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict, bytes]:
    """One request, redirects not followed; returns status, lower-cased headers, body."""
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with _OPENER.open(request, timeout=60) as response:
            return response.status, _headers(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, _headers(err.headers), err.read()


def _headers(message) -> dict:
    out: dict = {}
    for name, value in message.items():
        key = name.lower()
        out[key] = f"{out[key]}\n{value}" if key in out else value
    return out


@dataclass
class Browser:
    """Keeps the dev server's cookies, as a browser would (sent only to that origin)."""

    base: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path_or_url: str, body: object = None, headers: dict | None = None
    ) -> tuple[int, dict, bytes]:
        url = path_or_url if "://" in path_or_url else self.base + path_or_url
        hdrs = dict(headers or {})
        data = None
        if isinstance(body, dict):
            data = json.dumps(body).encode()
            hdrs["content-type"] = "application/json"
        if url.startswith(self.base) and self.cookies:
            hdrs["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, got, payload = http(method, url, data, hdrs)
        if url.startswith(self.base):
            for raw in filter(None, got.get("set-cookie", "").split("\n")):
                jar = SimpleCookie()
                jar.load(raw)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
        return status, got, payload

    def api(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        status, _, payload = self.request(method, path, body)
        return status, (json.loads(payload) if payload else None)

    def sign_in(self, fake: FakeAuthKit, subject: str, email: str) -> str:
        """Sign in through /auth/login -> the fake AuthKit -> /auth/callback; returns user id."""
        fake.sign_in_as(subject, email)
        status, headers, _ = self.request("GET", "/auth/login?" + urlencode({"next": "/"}))
        assert status == 302, status
        status, headers, _ = http("GET", headers["location"])  # the fake approves at once
        assert status == 302 and urlparse(headers["location"]).path == "/auth/callback"
        status, _, body = self.request("GET", headers["location"])
        assert status == 302, body
        status, me = self.api("GET", "/api/me")
        assert status == 200, me
        return me["id"]


def mcp(
    base: str, path: str, method: str, params: dict, bearer: str | None = None
) -> tuple[int, dict, bytes]:
    """One stateless MCP JSON-RPC request (`initialize`, `tools/call`, ...)."""
    headers = {"content-type": "application/json", "accept": ACCEPT}
    if bearer:
        headers["authorization"] = f"Bearer {bearer}"
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    return http("POST", base + path, body, headers)


INITIALIZE = {
    "protocolVersion": "2025-06-18",
    "capabilities": {},
    "clientInfo": {"name": "tenancy-e2e", "version": "1"},
}


@dataclass
class DevWorld:
    """A running `wikibot dev` that signs in through the fake AuthKit."""

    fake: FakeAuthKit
    data: Path
    base: str
    proc: subprocess.Popen

    def browser(self) -> Browser:
        return Browser(self.base)

    def secrets(self) -> dict:
        return json.loads((self.data / "secrets.json").read_text())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(15)


def start_dev_world(data: Path, fake: FakeAuthKit, **env: str) -> DevWorld:
    """Start `wikibot dev --port 0` with WorkOS and AuthKit pointed at the fake."""
    environment = {
        **os.environ,
        "WIKIBOT_AUTHKIT_DOMAIN": fake.issuer,
        "WIKIBOT_WORKOS_CLIENT_ID": fake.client_id,
        "WIKIBOT_WORKOS_API_KEY": fake.api_key,
        "WIKIBOT_WORKOS_API_URL": fake.base_url,
        **env,
    }
    log = data.parent / f"{data.name}-dev.log"
    proc = subprocess.Popen(
        [WIKIBOT, "dev", "--port", "0", "--data", str(data), "--json", "--instances", "2"],
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
        env=environment,
    )
    line = proc.stdout.readline()
    if not line:
        proc.wait(10)
        raise RuntimeError("wikibot dev exited: " + log.read_text())
    info = json.loads(line)
    base = info.get("base_url") or info["mcp_url"].rsplit("/", 3)[0]
    return DevWorld(fake, data, base, proc)
