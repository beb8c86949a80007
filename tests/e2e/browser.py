"""Helpers for browser tests: a `wikibot dev` process of our own and headless Debian Chromium.

Playwright drives the system browser (`/usr/bin/chromium`, installed by `.ci/setup`); it never
downloads one. Screenshots are kept in `ARTIFACTS` (`$TMPDIR/wikibot-artifacts/web`, outside the
working tree and not rotated away like pytest's temporary folders; the path is printed), so a
failed run can show what the browser saw.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from wikibot.auth import session

WIKIBOT = str(Path(sys.executable).parent / "wikibot")
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(tempfile.gettempdir()) / "wikibot-artifacts" / "web"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class DevWiki:
    """A running `wikibot dev` and what a browser needs to sign in to its wiki."""

    data: Path
    base: str
    web_url: str
    mcp_url: str
    token: str
    proc: subprocess.Popen

    def session_cookie(self, user: str = "dev") -> dict:
        """A signed-in browser session for `user` (what the platform's login would set)."""
        keys = json.loads((self.data / "secrets.json").read_text())
        value = session.mint(user, keys["session_key"])
        return {"name": "wikibot_session", "value": value, "url": self.base}

    def stop(self) -> None:
        """Stop the process we started."""
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_dev(data: Path) -> DevWiki:
    """Start `wikibot dev --port 0` on a fresh data folder and wait for its JSON line."""
    log = data.parent / f"{data.name}-dev.log"
    proc = subprocess.Popen(
        [WIKIBOT, "dev", "--port", "0", "--data", str(data), "--json"],
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )
    line = proc.stdout.readline()
    if not line:
        proc.wait(10)
        raise RuntimeError("wikibot dev exited: " + log.read_text()[-3000:])
    info = json.loads(line)
    base = info["base_url"].rstrip("/")
    web_url = info.get("web_url") or f"{base}/dev/notes/"
    return DevWiki(data, base, web_url, info["mcp_url"], info["token"], proc)


def launch(playwright):
    """Headless Debian Chromium through Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def screenshot(page, folder: Path, name: str) -> Path:
    """Keep a full-page screenshot as a test artifact; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.wait_for_load_state("load")  # styles and images, so the picture shows the page
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path
