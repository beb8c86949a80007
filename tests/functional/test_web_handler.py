"""The wiki Lambda handler (Otterwiki in library mode) driven by API Gateway v2 events.

One process, warm, like a Lambda instance serving many requests; the store is read back directly
to check what the UI wrote.
"""

from __future__ import annotations

import html
import json
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

from wikibot.auth import session
from wikibot.local.dev import local_settings
from wikibot.local.gateway import FakeLambdaContext, build_event, response_from_result
from wikibot.provision import create_wiki
from wikibot.registry import open_registry
from wikibot.store import Author, WikiStore, wiki_path
from wikibot.web.handler import make_handler

AGENT = Author("Agent", "agent@example.com", "mcp")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class WebClient:
    """A browser-like client calling the handler directly with API Gateway events."""

    handler: object
    token: str | None = None
    session_cookie: str | None = None
    jar: dict[str, str] = field(default_factory=dict)

    def request(self, method, path, form=None, files=None, headers=()) -> Response:
        path, _, query = path.partition("?")
        sent = list(headers)
        if self.token:
            sent.append(("authorization", f"Bearer {self.token}"))
        cookies = dict(self.jar)
        if self.session_cookie:
            cookies["wikibot_session"] = self.session_cookie
        if cookies:
            sent.append(("cookie", "; ".join(f"{k}={v}" for k, v in cookies.items())))
        body = b""
        if files:
            body, ctype = multipart(form or {}, files)
            sent.append(("content-type", ctype))
        elif form is not None:
            body = urlencode(form).encode()
            sent.append(("content-type", "application/x-www-form-urlencoded"))
        quoted = "/".join(quote_segment(s) for s in path.split("/"))
        event = build_event(method, quoted, query, sent, body, source_ip="127.0.0.1")
        result = self.handler(event, FakeLambdaContext("wiki"))
        status, pairs, data = response_from_result(result)
        for name, value in pairs:
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.jar[key] = rest.split(";", 1)[0]
        return Response(status, {k.lower(): v for k, v in pairs}, data)

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, form: dict, **kw) -> Response:
        return self.request("POST", path, form=form, **kw)

    def editor(self, page_url: str) -> tuple[str, str]:
        """Open the editor; returns (csrf token, base revision) from its save form."""
        r = self.get(page_url + "?edit")
        assert r.status == 200, r.text[:500]
        return form_value(r.text, "csrf_token"), form_value(r.text, "wikibot_base")

    def save(self, page_url: str, content: str, message: str = "via the UI", base=None):
        csrf, opened = self.editor(page_url)
        form = {"content": content, "commit": message, "csrf_token": csrf}
        form["wikibot_base"] = opened if base is None else base
        return self.post(page_url + "/save", form)


def quote_segment(segment: str) -> str:
    from urllib.parse import quote

    return quote(segment, safe="-_.~!$&'()*+,;=:@")


def form_value(page: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
    assert found, f"no {name} field in the page"
    return html.unescape(found.group(1))


def multipart(form: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in form.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    out = "".join(parts).encode()
    for name, (filename, data) in files.items():
        out += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            + data
            + b"\r\n"
        )
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


@dataclass
class Env:
    settings: object
    registry: object
    handler: object
    owner_token: str

    def store(self) -> WikiStore:
        return WikiStore.open(wiki_path(self.settings.data_root, "alice", "notes"))

    def owner(self) -> WebClient:
        return WebClient(self.handler, token=self.owner_token)

    def browser(self, user: str) -> WebClient:
        return WebClient(self.handler, session_cookie=session.mint(user, self.settings.session_key))


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> Env:
    settings = local_settings(tmp_path_factory.mktemp("web") / "data")
    registry = open_registry(settings)
    registry.create_user("alice", "alice@example.com", "Alice Ä")
    registry.create_user("victor", "victor@example.com", "Victor")
    registry.create_user("eve", "eve@example.com", "Eve")
    create_wiki(settings, registry, "alice", "notes", "Alice's Notes")
    registry.put_member("alice", "notes", "victor", "viewer")
    _, token = registry.create_token("alice", "alice", "notes")
    return Env(settings, registry, make_handler(settings), token)


def test_warming_ping_answers_without_touching_a_repository(tmp_path):
    settings = local_settings(tmp_path / "nothing-here")
    handler = make_handler(settings)
    started = time.perf_counter()
    assert handler({"wikibot": "warm"}, None) == {"warm": True}
    assert time.perf_counter() - started < 0.05
    assert not (tmp_path / "nothing-here" / "dev").exists()


def test_page_renders_with_prefixed_urls_and_private_cache(env):
    r = env.owner().get("/alice/notes/Home")
    assert r.status == 200
    assert "text/html" in r.headers["content-type"]
    assert 'href="/alice/notes/-/index"' in r.text
    # Otterwiki's assets: one shared versioned path (CloudFront from S3; decision 0013)
    assert 'href="/_static/otterwiki-2.26.1/css/' in r.text and "/notes/_static/" not in r.text
    assert "Alice&#39;s Notes" in r.text or "Alice's Notes" in r.text
    assert r.headers["cache-control"] == "private, max-age=30"


def test_static_assets_are_immutable_and_need_no_boot(env):
    r = env.owner().get("/alice/notes/static/css/otterwiki.css")
    assert r.status == 200 and b"{" in r.body
    assert "immutable" in r.headers["cache-control"]
    assert env.owner().get("/alice/notes/static/../server.py").status == 404


@pytest.mark.parametrize("path", ["/nobody/notes/", "/alice/missing/Home", "/Alice/notes/", "/"])
def test_unknown_user_or_wiki_is_a_404_page_without_traceback(env, path):
    r = env.owner().get(path)
    assert r.status == 404
    assert "Traceback" not in r.text and 'File "' not in r.text
    assert "<html" in r.text


def test_without_credentials_the_browser_is_asked_to_sign_in(env):
    r = WebClient(env.handler).get("/alice/notes/Home")
    assert r.status == 401
    assert "/auth/login?next=/alice/notes/Home" in r.text


def test_session_cookie_signs_the_browser_in(env):
    r = env.browser("alice").get("/alice/notes/Home")
    assert r.status == 200 and "Alice" in r.text


def test_a_stranger_gets_403(env):
    assert env.browser("eve").get("/alice/notes/Home").status == 403


def test_viewer_sees_no_edit_controls_and_every_post_is_refused(env):
    viewer = env.browser("victor")
    before = env.store().read("Home").revision
    r = viewer.get("/alice/notes/Home")
    assert r.status == 200
    assert "?edit" not in r.text and "/Home/edit" not in r.text
    # A client cannot grant itself rights with Otterwiki's proxy headers.
    forged = [("x-otterwiki-permissions", "READ WRITE UPLOAD ADMIN")]
    assert viewer.get("/alice/notes/Home/edit", headers=forged).status == 403
    for path in ("/alice/notes/Home/save", "/alice/notes/Home/rename", "/alice/notes/-/admin"):
        assert viewer.post(path, {"content": "x"}, headers=forged).status == 403
    assert env.store().read("Home").revision == before


def test_ui_save_lands_in_the_store_authored_by_the_user(env):
    owner = env.browser("alice")
    r = owner.save("/alice/notes/Ideas", "# Ideas\n\nFirst idea.\n", "add ideas")
    assert r.status == 302
    assert r.headers["cache-control"] == "no-store"
    assert "/alice/notes/Ideas?rev=" in r.headers["location"]
    page = env.store().read("Ideas")
    assert "First idea." in page.text
    rev = env.store().history("Ideas", 1)[0]
    assert (rev.author, rev.email) == ("Alice Ä", "alice@example.com")
    assert rev.message == "[web] add ideas"
    shown = owner.get("/alice/notes/Ideas")
    assert "First idea." in shown.text


def test_a_page_written_by_an_agent_shows_in_the_ui(env):
    env.store().write("Agent Notes", "# Agent Notes\n\nWritten over MCP.\n", AGENT)
    r = env.owner().get("/alice/notes/Agent Notes")
    assert r.status == 200 and "Written over MCP." in r.text
    history = env.owner().get("/alice/notes/Agent Notes/history")
    assert "Agent" in history.text


def test_save_after_an_agent_change_is_a_conflict_the_user_resolves(env):
    store, owner = env.store(), env.browser("alice")
    store.write("Plan", "# Plan\n\nstep one\n", AGENT)
    csrf, base = owner.editor("/alice/notes/Plan")
    page = store.read("Plan")
    store.write("Plan", "# Plan\n\nstep one\nagent step\n", AGENT, revision=page.revision)
    form = {"content": "# Plan\n\nstep one\nmy step\n", "commit": "mine", "csrf_token": csrf}
    r = owner.post("/alice/notes/Plan/save", {**form, "wikibot_base": base})
    assert r.status == 409
    assert "changed by someone else" in r.text
    assert "agent step" in store.read("Plan").text  # nothing overwritten
    drafts = json.loads((env.settings.data_root / "alice/notes/ui.json").read_text())["drafts"]
    assert any("my step" in d["content"] for d in drafts)
    # The user continues the draft (Otterwiki's draft view), merges and saves again.
    r = owner.post("/alice/notes/Plan/edit", {"draft": "edit", "csrf_token": csrf})
    assert r.status == 200 and "my step" in r.text
    merged = "# Plan\n\nstep one\nagent step\nmy step\n"
    form = {"content": merged, "commit": "merge", "csrf_token": csrf}
    r = owner.post(
        "/alice/notes/Plan/save", {**form, "wikibot_base": form_value(r.text, "wikibot_base")}
    )
    assert r.status == 302
    assert store.read("Plan").text == merged


def test_creating_a_page_that_an_agent_created_meanwhile_is_a_conflict(env):
    owner = env.browser("alice")
    csrf, base = owner.editor("/alice/notes/Race")
    assert base == "new"
    env.store().write("Race", "# Race\n\nagent first\n", AGENT)
    form = {"content": "# Race\n\nme\n", "commit": "", "csrf_token": csrf, "wikibot_base": base}
    assert owner.post("/alice/notes/Race/save", form).status == 409
    assert "agent first" in env.store().read("Race").text


def test_non_ascii_page_names_end_to_end(env):
    owner = env.browser("alice")
    r = owner.save("/alice/notes/Café/Über Größe", "# Über Größe\n\nnaïve — 日本語\n")
    assert r.status == 302, r.text[:300]
    assert "日本語" in env.store().read("Café/Über Größe").text
    shown = owner.get("/alice/notes/Café/Über Größe")
    assert shown.status == 200 and "日本語" in shown.text
    index = owner.get("/alice/notes/-/index")
    assert "Über Größe" in index.text


def test_attachment_upload_is_stored_and_served_from_the_store(env):
    owner = env.browser("alice")
    owner.save("/alice/notes/Gallery", "# Gallery\n")
    page = owner.get("/alice/notes/Gallery/attachments")
    csrf = form_value(page.text, "csrf_token")
    data = bytes(range(256)) * 10
    r = owner.request(
        "POST",
        "/alice/notes/Gallery/attachments",
        form={"csrf_token": csrf, "message": ""},
        files={"file": ("data.bin", data)},
    )
    assert r.status in (200, 302), r.text[:300]
    assert env.store().get_attachment("Gallery", "data.bin") == data
    got = owner.get("/alice/notes/Gallery/a/data.bin")
    assert got.status == 200 and got.body == data
    listing = owner.get("/alice/notes/Gallery/attachments")
    assert "data.bin" in listing.text


def test_the_store_write_rules_refuse_an_oversized_upload_with_a_message(env):
    owner = env.browser("alice")
    owner.save("/alice/notes/Rules", "# Rules\n")
    csrf = form_value(owner.get("/alice/notes/Rules/attachments").text, "csrf_token")
    before = env.store().read("Rules").revision
    r = owner.request(
        "POST",
        "/alice/notes/Rules/attachments",
        form={"csrf_token": csrf, "message": ""},
        files={"file": ("huge.bin", b"x" * (env.settings.limits.max_attachment_bytes + 1))},
    )
    assert r.status == 413
    assert "limit" in r.text
    assert "Traceback" not in r.text
    assert env.store().read("Rules").revision == before
    assert env.store().attachments("Rules") == []


def test_history_diff_blame_changelog_search_preview(env):
    owner = env.browser("alice")
    owner.save("/alice/notes/Log", "# Log\n\nalpha\n")
    owner.save("/alice/notes/Log", "# Log\n\nalpha\nbeta\n", "add beta")
    revs = env.store().history("Log", 2)
    history = owner.get("/alice/notes/Log/history")
    assert history.status == 200 and "add beta" in history.text
    diff = owner.get(f"/alice/notes/Log/diff/{revs[1].id[:6]}/{revs[0].id[:6]}")
    assert diff.status == 200 and "beta" in diff.text
    blame = owner.get("/alice/notes/Log/blame")
    assert blame.status == 200 and revs[0].id[:6] in blame.text and revs[1].id[:6] in blame.text
    assert "add beta" in owner.get("/alice/notes/-/changelog").text
    commit = owner.get(f"/alice/notes/-/commit/{revs[0].id[:6]}")
    assert commit.status == 200 and "beta" in commit.text
    csrf = form_value(owner.get("/alice/notes/Log?edit").text, "csrf_token")
    found = owner.post("/alice/notes/-/search", {"query": "beta", "csrf_token": csrf})
    assert found.status == 200 and "Log" in found.text
    preview = owner.post("/alice/notes/Log/preview", {"content": "**bold**", "csrf_token": csrf})
    assert preview.status == 200 and "<strong>bold</strong>" in preview.text


def test_rename_rewrites_links_and_delete_removes(env):
    owner, store = env.browser("alice"), env.store()
    owner.save("/alice/notes/Target", "# Target\n")
    owner.save("/alice/notes/Linker", "# Linker\n\nSee [[Target]].\n")
    csrf = form_value(owner.get("/alice/notes/Target/rename").text, "csrf_token")
    form = {"new_pagename": "Moved", "message": "", "csrf_token": csrf, "update_backlinks": "1"}
    r = owner.post("/alice/notes/Target/rename", form)
    assert r.status == 302, r.text[:400]
    assert store.exists("Moved") and not store.exists("Target")
    assert "[[Moved]]" in store.read("Linker").text
    csrf = form_value(owner.get("/alice/notes/Moved/delete").text, "csrf_token")
    r = owner.post("/alice/notes/Moved/delete", {"message": "", "csrf_token": csrf})
    assert r.status == 302
    assert not store.exists("Moved")


def test_preferences_persist_beside_the_repo_for_the_next_cold_start(env):
    owner = env.browser("alice")
    page = owner.get("/alice/notes/-/admin")
    assert page.status == 200
    csrf = form_value(page.text, "csrf_token")
    r = owner.post(
        "/alice/notes/-/admin",
        {"csrf_token": csrf, "update_preferences": "1", "site_name": "Renamed Wiki"},
    )
    assert r.status in (200, 302)
    saved = json.loads((env.settings.data_root / "alice/notes/ui.json").read_text())
    assert {"name": "SITE_NAME", "value": "Renamed Wiki"} in saved["preferences"]
    fresh = make_handler(env.settings)  # another Lambda instance: reads ui.json
    assert "Renamed Wiki" in WebClient(fresh, token=env.owner_token).get("/alice/notes/Home").text


def test_platform_mode_hides_login_registration_and_user_admin(env):
    owner = env.browser("alice")
    for path in (
        "/-/login",
        "/-/register",
        "/-/logout",
        "/-/admin/user_management",
        "/-/admin/repository_management",
        "/.git/info/refs",
    ):
        assert owner.get("/alice/notes" + path).status == 404, path


def test_no_git_binary_and_no_gitpython_at_runtime(env, tmp_path):
    """Run a UI session in a fresh interpreter whose PATH has no `git`."""
    import subprocess

    script = tmp_path / "run.py"
    script.write_text(
        "import sys, shutil\n"
        f"sys.path[:0] = {sys.path!r}\n"
        "from test_web_handler import WebClient\n"
        "from wikibot.local.dev import local_settings\n"
        "from wikibot.web.handler import make_handler\n"
        "from pathlib import Path\n"
        "assert shutil.which('git') is None\n"
        f"settings = local_settings(Path({str(env.settings.data_root)!r}))\n"
        f"c = WebClient(make_handler(settings), token={env.owner_token!r})\n"
        "assert c.save('/alice/notes/Nogit', '# Nogit\\n\\nok\\n').status == 302\n"
        "assert c.save('/alice/notes/Nogit', '# Nogit\\n\\nok\\nmore\\n').status == 302\n"
        "for p in ('Nogit', 'Nogit/history', 'Nogit/blame', '-/changelog', '-/index'):\n"
        "    assert c.get('/alice/notes/' + p).status == 200, p\n"
        "assert 'git' not in sys.modules and 'sqlalchemy' not in sys.modules\n"
        "print('ok')\n"
    )
    empty = tmp_path / "bin"
    empty.mkdir()
    out = subprocess.run(
        [sys.executable, str(script)],
        env={"PATH": str(empty), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("ok")


def test_thumbnails_and_feeds_load_their_libraries_on_first_use(env):
    import io

    from PIL import Image

    owner = env.browser("alice")
    owner.save("/alice/notes/Pictures", "# Pictures\n")
    picture = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(picture, "PNG")
    env.store().put_attachment("Pictures", "red.png", picture.getvalue(), AGENT)
    thumb = owner.get("/alice/notes/Pictures/t/red.png")
    assert thumb.status == 200 and thumb.headers["content-type"].startswith("image/")
    assert Image.open(io.BytesIO(thumb.body)).size[0] <= 80
    feed = owner.get("/alice/notes/-/changelog/feed.rss")
    assert feed.status == 200 and b"<rss" in feed.body


@pytest.mark.parametrize(
    "name, data",
    [
        ("damaged.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),  # Pillow cannot identify it
        ("cut.jpg", None),  # a JPEG cut short: Pillow fails while decoding
    ],
)
def test_an_image_pillow_cannot_read_is_served_as_is_instead_of_a_thumbnail(env, name, data):
    import io

    from PIL import Image

    if data is None:
        whole = io.BytesIO()
        Image.effect_noise((300, 300), 64).convert("RGB").save(whole, "JPEG")
        data = whole.getvalue()[: len(whole.getvalue()) // 2]
    owner = env.browser("alice")
    owner.save("/alice/notes/Pictures", "# Pictures\n")
    env.store().put_attachment("Pictures", name, data, AGENT)
    thumb = owner.get(f"/alice/notes/Pictures/t/{name}")
    assert thumb.status == 200
    assert thumb.body == data


def test_a_public_wiki_is_readable_anonymously_and_cacheable_but_not_writable(env):
    create_wiki(env.settings, env.registry, "alice", "open", "Open Notes")
    env.registry.update_wiki("alice", "open", public=True)
    anonymous = WebClient(env.handler)
    r = anonymous.get("/alice/open/Home")
    assert r.status == 200
    assert r.headers["cache-control"] == "public, max-age=30"
    assert "?edit" not in r.text
    assert anonymous.post("/alice/open/Home/save", {"content": "x"}).status == 401  # sign in
    # A signed-in reader of the same page gets a private copy (it may show their name).
    signed_in = env.browser("alice").get("/alice/open/Home")
    assert signed_in.headers["cache-control"] == "private, max-age=30"
