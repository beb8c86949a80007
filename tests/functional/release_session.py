"""A realistic wiki session run INSIDE the unpacked wiki zip (not a test module by itself).

tests/functional/test_release_build.py runs this file with a clean Python 3.12 that holds only
boto3, PYTHONPATH at the unpacked zip (as Lambda's /var/task) and the WIKIBOT_* settings of a
data folder with alice/notes. Modules the zip must not need are refused by an import hook (as
if absent, which they are), then the handler Lambda would build serves: a page view, an edit
and save, history, blame, changelog, index, the RSS and Atom feeds, PNG/JPEG/WebP/GIF
thumbnails, a git clone's two requests and a push. Tracebacks through sourceless and sourced
modules are formatted. One JSON line (prefix SESSION) reports what happened; the test asserts
on it.

Usage: python release_session.py TOKEN
"""

from __future__ import annotations

import html
import io
import json
import re
import sys
import traceback
from importlib.abc import MetaPathFinder
from urllib.parse import urlencode

# Dropped from the wiki zip (decision 0013); an import of any of them would mean it is needed.
FORBIDDEN = frozenset(
    {"sqlalchemy", "flask_sqlalchemy", "greenlet", "git", "gitdb", "smmap", "Cython", "cython",
     "cryptography", "cffi", "_cffi_backend", "pycparser", "lxml", "dateutil"}
)  # fmt: skip
attempted: list[str] = []


class Forbid(MetaPathFinder):
    """Refuse (and record) imports of the dropped distributions."""

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in FORBIDDEN:
            attempted.append(name)
            raise ModuleNotFoundError(f"No module named {name!r} (not shipped)", name=name)
        return None


sys.meta_path.insert(0, Forbid())

from wikibot.local.gateway import FakeLambdaContext, build_event, response_from_result  # noqa: E402

TOKEN = sys.argv[1]
WIKI = "/alice/notes"
results: dict = {}
jar: dict[str, str] = {}  # cookies the app sets (Flask's session carries the CSRF token)


def call(method: str, path: str, query: str = "", body: bytes = b"", headers=()) -> tuple:
    import wikibot.web.handler as module  # the module-level handler, built as Lambda's INIT does

    sent = [("authorization", f"Bearer {TOKEN}"), ("host", "wiki.example"), *headers]
    if jar:
        sent.append(("cookie", "; ".join(f"{k}={v}" for k, v in jar.items())))
    event = build_event(method, path, query, sent, body, source_ip="203.0.113.9", scheme="https")
    status, pairs, data = response_from_result(module.handler(event, FakeLambdaContext("wiki")))
    for name, value in pairs:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]
    return status, {k.lower(): v for k, v in pairs}, data


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else ""


def pages() -> None:
    status, _, body = call("GET", f"{WIKI}/Home")
    results["view"] = [status, b"Home" in body]
    status, _, body = call("GET", f"{WIKI}/Probe", "edit")
    page = body.decode()
    form = {
        "content": "# Probe\n\nprobe text from the zip\n",
        "commit": "probe",
        "csrf_token": field(page, "csrf_token"),
        "wikibot_base": field(page, "wikibot_base"),
    }
    status, headers, _ = call(
        "POST", f"{WIKI}/Probe/save", body=urlencode(form).encode(),
        headers=[("content-type", "application/x-www-form-urlencoded"),
                 ("referer", f"https://wiki.example{WIKI}/Probe?edit")],
    )  # fmt: skip
    results["save"] = [status, headers.get("location", "")]
    status, _, body = call("GET", f"{WIKI}/Probe")
    results["view_saved"] = [status, b"probe text from the zip" in body]
    for name in ("Probe/history", "Probe/blame", "-/changelog", "-/index"):
        results[name] = call("GET", f"{WIKI}/{name}")[0]
    for kind in ("rss", "atom"):
        status, headers, body = call("GET", f"{WIKI}/-/changelog/feed.{kind}")
        import xml.etree.ElementTree as ET

        root = ET.fromstring(body)
        results[f"feed_{kind}"] = [status, root.tag, body.count(b"probe")]


def thumbnails() -> None:
    from PIL import Image, features

    from wikibot.layout import wiki_path
    from wikibot.settings import from_env
    from wikibot.store import Author, WikiStore

    store = WikiStore.open(wiki_path(from_env().data_root, "alice", "notes"))
    agent = Author("Agent", "agent@example.com", "mcp")
    for fmt, name in (("PNG", "a.png"), ("JPEG", "b.jpg"), ("WEBP", "c.webp"), ("GIF", "d.gif")):
        data = io.BytesIO()
        Image.new("RGB", (400, 200), "teal").save(data, fmt)
        store.put_attachment("Probe", name, data.getvalue(), agent)
        status, headers, body = call("GET", f"{WIKI}/Probe/t/{name}")
        thumb = Image.open(io.BytesIO(body)) if status == 200 else None
        results[f"thumb_{fmt}"] = [
            status, headers.get("content-type"), thumb and thumb.format, thumb and thumb.size,
        ]  # fmt: skip
    checked = ("jpg", "zlib", "webp", "avif", "freetype2", "littlecms2")
    results["pillow_features"] = {name: features.check(name) for name in checked}


def git_clone() -> None:
    status, _, body = call("GET", f"{WIKI}.git/info/refs", "service=git-upload-pack")
    head = re.search(rb"([0-9a-f]{40}) refs/heads/main", body)
    results["git_refs"] = [status, bool(head)]
    caps = "multi_ack_detailed side-band-64k thin-pack ofs-delta agent=git/2.43.0"  # as git sends
    want = f"want {head.group(1).decode()} {caps}\n".encode()
    request = b"%04x" % (len(want) + 4) + want + b"0000" + b"0009done\n"
    status, headers, body = call(
        "POST", f"{WIKI}.git/git-upload-pack", body=request,
        headers=[("content-type", "application/x-git-upload-pack-request")],
    )  # fmt: skip
    results["git_upload_pack"] = [status, headers.get("content-type"), b"PACK" in body]
    if b"PACK" not in body:
        results["git_upload_pack"].append(body[:300].decode("utf-8", "replace"))


def git_push() -> None:
    """A fast-forward push of one new page, packed by dulwich from the zip, as git would."""
    from dulwich.object_format import DEFAULT_OBJECT_FORMAT
    from dulwich.objects import Blob, Commit, Tree
    from dulwich.pack import write_pack_objects
    from dulwich.repo import Repo

    from wikibot.layout import wiki_path
    from wikibot.settings import from_env

    repo = Repo(str(wiki_path(from_env().data_root, "alice", "notes")))
    head = repo.refs[b"refs/heads/main"]
    blob = Blob.from_string(b"# Pushed\n\npushed from the zip\n")
    tree = Tree()
    for item in repo[repo[head].tree].items():
        tree.add(item.path, item.mode, item.sha)
    tree.add(b"pushed.md", 0o100644, blob.id)
    commit = Commit()
    commit.tree, commit.parents = tree.id, [head]
    commit.author = commit.committer = b"Alice <alice@example.com>"
    commit.author_time = commit.commit_time = 1764246000
    commit.author_timezone = commit.commit_timezone = 0
    commit.message = b"push from the release session\n"
    pack = io.BytesIO()
    write_pack_objects(pack.write, [(o, None) for o in (blob, tree, commit)], DEFAULT_OBJECT_FORMAT)
    command = head + b" " + commit.id + b" refs/heads/main\0report-status side-band-64k"
    request = b"%04x" % (len(command) + 4) + command + b"0000" + pack.getvalue()
    status, _, body = call(
        "POST", f"{WIKI}.git/git-receive-pack", body=request,
        headers=[("content-type", "application/x-git-receive-pack-request")],
    )  # fmt: skip
    results["git_push"] = [status, b"unpack ok" in body, b"ok refs/heads/main" in body]
    if not results["git_push"][2]:
        results["git_push"].append(body[-300:].decode("utf-8", "replace"))
    status, _, page = call("GET", f"{WIKI}/Pushed")
    results["view_pushed"] = [status, b"pushed from the zip" in page]


def tracebacks() -> None:
    from wikibot.errors import InvalidInput
    from wikibot.layout import validate_slug

    try:
        validate_slug("user", "NOT A SLUG")
    except InvalidInput:
        text = traceback.format_exc()
        results["tb_wikibot_has_source_line"] = "raise InvalidInput" in text
    import yaml

    try:
        yaml.safe_load("a: [1, 2")
    except yaml.YAMLError:
        text = traceback.format_exc()
        results["tb_sourceless_frames"] = text.count("yaml/")
    import jinja2

    try:
        jinja2.Template("line one\n{{ 1 // 0 }}").render()
    except ZeroDivisionError:
        text = traceback.format_exc()
        results["tb_jinja_template_line"] = 'File "<template>", line 2' in text


for step in (pages, thumbnails, git_clone, git_push, tracebacks):
    try:
        step()
    except Exception:
        results[f"error_{step.__name__}"] = traceback.format_exc()[-3000:]
results["attempted_forbidden"] = sorted(set(attempted))
results["loaded_forbidden"] = sorted(m for m in sys.modules if m.split(".")[0] in FORBIDDEN)
results["feedgen_feed"] = getattr(sys.modules.get("feedgen.feed"), "__name__", None)
print("SESSION" + json.dumps(results, default=str))
