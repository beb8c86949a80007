"""A real `wikibot dev` process for end-to-end tests, and helpers to talk to it."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

WIKIBOT = str(Path(sys.executable).parent / "wikibot")


INITIALIZE = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "e2e", "version": "1"},
        },
    }
).encode()


@dataclass
class DevServer:
    data: Path
    base: str
    mcp_url: str
    token: str
    log: Path

    def cli(self, *args: str) -> dict | list:
        """Run a `wikibot` subcommand against the same data folder; returns its --json output."""
        out = subprocess.run(
            [WIKIBOT, *args, "--data", str(self.data), "--json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return json.loads(out)

    def post(
        self, path: str, token: str | None = None, body: bytes = INITIALIZE
    ) -> tuple[int, dict, bytes]:
        """Raw POST (an MCP initialize by default) returning status, headers, body."""
        headers = {
            "content-type": "application/json",
            "accept": "application/json, text/event-stream",
        }
        if token:
            headers["authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.base + path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()


@pytest.fixture(scope="session")
def dev_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("wikibot-data")
    log = data.parent / "dev.log"  # a file, so the access log can never fill a pipe and block
    proc = subprocess.Popen(
        [WIKIBOT, "dev", "--port", "0", "--data", str(data), "--json"],
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )
    try:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("wikibot dev exited: " + log.read_text())
        info = json.loads(line)
        yield DevServer(data, info["base_url"], info["mcp_url"], info["token"], log)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
