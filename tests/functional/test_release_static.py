"""Otterwiki's static files come from one versioned path, `/_static/otterwiki-<version>/`.

In AWS CloudFront serves it from S3 (tools/release uploads the files; terraform/modules/edge);
`wikibot dev` serves it from the installed otterwiki package. Here, over real HTTP through the
local gateway: a rendered page links its CSS, JavaScript and images only there, every link
answers 200 with the immutable cache header and a usable Content-Type, and every linked file is
in the set tools/release collects for upload. Nothing else is served under the path.
"""

from __future__ import annotations

import http.client
import re
import sys
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest

from wikibot.local import gateway
from wikibot.local.dev import local_settings
from wikibot.provision import create_wiki
from wikibot.registry import open_registry
from wikibot.web.app import STATIC_CACHE, static_base
from wikibot.web.handler import make_handler
from wikibot.web.library import PINNED_VERSION, otterwiki_dir

ROOT = Path(__file__).resolve().parents[2]
BASE = static_base(PINNED_VERSION)
LINK = re.compile(r'(?:href|src)="([^"]+)"')


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    settings = local_settings(tmp_path_factory.mktemp("static") / "data")
    registry = open_registry(settings)
    registry.create_user("alice", "alice@example.com", "Alice")
    create_wiki(settings, registry, "alice", "notes", "Notes")
    _, token = registry.create_token("alice", "alice", "notes")
    server = gateway.serve({"wiki": make_handler(settings)}, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], token
    server.shutdown()
    server.server_close()


def get(port: int, path: str, token: str | None = None) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def collected(tmp_path: Path) -> dict[str, str]:
    """The files tools/release would upload, collected from the installed otterwiki."""
    sys.path.insert(0, str(ROOT / "tools"))
    from release_lib.static import collect

    return collect(otterwiki_dir().parent, PINNED_VERSION, tmp_path).files


def test_pages_link_static_files_only_under_the_versioned_path(dev, tmp_path):
    port, token = dev
    status, _, body = get(port, "/alice/notes/Home", token)
    assert status == 200
    links = [unquote(u.split("?", 1)[0]) for u in LINK.findall(body.decode())]
    # Files (not Otterwiki's generated routes such as /{user}/{wiki}/-/plugin-static.css).
    assets = [
        u for u in links if u.endswith((".css", ".js", ".png", ".ico", ".svg")) and "/-/" not in u
    ]
    assert assets and all(u.startswith(BASE + "/") for u in assets), assets
    assert not [u for u in links if "/static/" in u and not u.startswith(BASE + "/")]
    uploaded = collected(tmp_path)
    for url in sorted(set(assets)):
        assert url.removeprefix(BASE + "/") in uploaded, url
        status, headers, data = get(port, url)  # no credentials: public, like CloudFront's
        assert status == 200 and data, url
        assert headers["cache-control"] == STATIC_CACHE
        if url.endswith(".css"):
            assert headers["content-type"].startswith("text/css")
        if url.endswith(".js"):
            assert "javascript" in headers["content-type"]


@pytest.mark.parametrize(
    "path",
    [
        "/_static/otterwiki-0.0.1/css/otterwiki.css",  # another version
        f"{BASE}/css/missing.css",
        f"{BASE}/../server.py",
        f"{BASE}/%2e%2e/server.py",
        f"{BASE}/",
        "/_static/",
    ],
)
def test_nothing_else_is_served_under_the_path(dev, path):
    port, _ = dev
    status, headers, body = get(port, path)
    assert status == 404 and b"import" not in body
    assert headers["cache-control"] == "no-store"


def test_collected_set_is_the_whole_static_folder(tmp_path):
    files = collected(tmp_path)
    on_disk = {
        p.relative_to(otterwiki_dir() / "static").as_posix()
        for p in (otterwiki_dir() / "static").rglob("*")
        if p.is_file()
    }
    assert set(files) == on_disk and len(files) > 100
    assert all(len(digest) == 64 for digest in files.values())
