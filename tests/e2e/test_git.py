"""The real `git` CLI against a running `wikibot dev`: clone, push, pull, refusals, races.

Every request goes through the local API Gateway stand-in to the wiki Lambda handler
(`wikibot.web.handler`), which hands `/{user}/{wiki}.git/...` to `wikibot.githttp`. Pushed pages
are read back over MCP (fastmcp's Client) and in the web UI; MCP writes come back with `git pull`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import itertools
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from dulwich.object_format import DEFAULT_OBJECT_FORMAT
from dulwich.objects import Commit
from dulwich.pack import write_pack_objects
from dulwich.protocol import pkt_line
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from wikibot.store import WikiStore, wiki_path

GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Carol",
    "GIT_AUTHOR_EMAIL": "carol@example.com",
    "GIT_COMMITTER_NAME": "Carol",
    "GIT_COMMITTER_EMAIL": "carol@example.com",
    "LC_ALL": "C",
}
_names = itertools.count()


def git(*args: str, cwd: Path | None = None, input: bytes | None = None, ok: bool = True):
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        input=input,
        capture_output=True,
        timeout=120,
    )
    result.out = result.stdout.decode("utf-8", "replace")
    result.err = result.stderr.decode("utf-8", "replace")
    if ok:
        assert result.returncode == 0, f"git {' '.join(args)} failed:\n{result.err}"
    return result


class GitWiki:
    """A fresh wiki on the shared dev server, with a token for its owner."""

    def __init__(self, dev, owner: str = "dev"):
        self.dev = dev
        self.owner = owner
        self.slug = f"git{next(_names)}-{os.getpid()}"
        dev.cli("wiki", "create", owner, self.slug)
        self.token = dev.cli("token", "create", owner, f"{owner}/{self.slug}")["secret"]
        self.repo = wiki_path(dev.data, owner, self.slug)

    def url(self, token: str | None = "") -> str:
        secret = self.token if token == "" else token
        host = self.dev.base.removeprefix("http://")
        auth = f"git:{secret}@" if secret else ""
        return f"http://{auth}{host}/{self.owner}/{self.slug}.git"

    @property
    def mcp_url(self) -> str:
        return f"{self.dev.base}/{self.owner}/{self.slug}/mcp"

    def clone(self, dest: Path, token: str | None = "") -> Path:
        git("clone", self.url(token), str(dest))
        return dest

    def snapshot(self) -> tuple:
        objects = sorted(str(p) for p in (self.repo / "objects").rglob("*") if p.is_file())
        refs = sorted(
            (str(p), p.read_text()) for p in (self.repo / "refs").rglob("*") if p.is_file()
        )
        return objects, refs

    def fsck_clean(self) -> None:
        result = git("--git-dir", str(self.repo), "fsck", "--strict", "--no-dangling")
        assert result.out.strip() == "" and result.err.strip() == "", result.out + result.err


def mcp(url: str, token: str) -> Client:
    return Client(StreamableHttpTransport(url, auth=token), timeout=60)


async def tool(url: str, token: str, name: str, **args) -> str:
    async with mcp(url, token) as c:
        return (await c.call_tool(name, args)).content[0].text


def http_get(url: str, authorization: str | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url)
    if authorization:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def basic(token: str) -> str:
    return "Basic " + base64.b64encode(f"git:{token}".encode()).decode()


def commit_all(work: Path, message: str) -> None:
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", message, cwd=work)


# -- the round trip ------------------------------------------------------------------------------


def test_clone_push_then_mcp_and_the_web_ui_read_it_and_pull_brings_mcp_edits(dev_server, tmp_path):
    wiki = GitWiki(dev_server)
    work = wiki.clone(tmp_path / "c")
    (work / "projects").mkdir()
    (work / "projects" / "alpha.md").write_text("# Alpha\n\nPushed with git. See [[Home]].\n")
    commit_all(work, "Add Alpha from git")
    assert "main -> main" in git("push", cwd=work).err

    text = asyncio.run(tool(wiki.mcp_url, wiki.token, "read_note", path="Projects/Alpha"))
    assert "Pushed with git." in text
    links = asyncio.run(tool(wiki.mcp_url, wiki.token, "get_links", path="Home"))
    assert "Projects/Alpha" in links  # the store's link index followed the push
    status, _, body = http_get(
        f"{dev_server.base}/{wiki.owner}/{wiki.slug}/Projects/Alpha", f"Bearer {wiki.token}"
    )
    assert status == 200 and b"Pushed with git." in body

    asyncio.run(
        tool(wiki.mcp_url, wiki.token, "write_note", path="From Agent", content="MCP wrote this")
    )
    git("pull", "--ff-only", cwd=work)
    assert (work / "from agent.md").read_text() == "MCP wrote this"
    wiki.fsck_clean()


# -- who may do what -----------------------------------------------------------------------------


def test_anonymous_other_wiki_and_viewer_access(dev_server, tmp_path):
    wiki = GitWiki(dev_server)
    refs_url = f"{dev_server.base}/{wiki.owner}/{wiki.slug}.git/info/refs?service=git-upload-pack"
    head = WikiStore.open(wiki.repo).repo.head().decode()

    status, headers, body = http_get(refs_url)
    assert status == 401 and headers["WWW-Authenticate"] == 'Basic realm="wikibot"'
    assert head.encode() not in body
    anonymous = git("clone", wiki.url(token=None), str(tmp_path / "anon"), ok=False)
    assert anonymous.returncode != 0 and not (tmp_path / "anon" / "home.md").exists()

    dev_server.cli("user", "create", f"m{wiki.slug}", "--email", f"m{wiki.slug}@example.com")
    other = GitWiki(dev_server, owner=f"m{wiki.slug}")
    for service in ("git-upload-pack", "git-receive-pack"):
        url = refs_url.replace("git-upload-pack", service)
        status, _, body = http_get(url, basic(other.token))
        assert status == 403 and head.encode() not in body and b"refs/heads" not in body
    foreign = git("clone", wiki.url(token=other.token), str(tmp_path / "x"), ok=False)
    assert foreign.returncode != 0 and "403" in foreign.err

    viewer = f"v{wiki.slug}"
    dev_server.cli("user", "create", viewer, "--email", f"{viewer}@example.com")
    dev_server.cli("member", "add", f"{wiki.owner}/{wiki.slug}", viewer, "--role", "viewer")
    viewer_token = dev_server.cli("token", "create", viewer, f"{wiki.owner}/{wiki.slug}")["secret"]
    work = wiki.clone(tmp_path / "v", token=viewer_token)
    (work / "viewer.md").write_text("not allowed\n")
    commit_all(work, "viewer edit")
    before = wiki.snapshot()
    pushed = git("push", cwd=work, ok=False)
    assert pushed.returncode != 0 and "403" in pushed.err
    assert wiki.snapshot() == before


# -- refused pushes ------------------------------------------------------------------------------


def literal(work: Path, kind: str, data: bytes) -> str:
    return git(
        "hash-object", "-t", kind, "--literally", "-w", "--stdin", cwd=work, input=data
    ).out.strip()


def tree_with(work: Path, name: bytes, mode: str, sha: str) -> str:
    """HEAD's tree plus one entry git's own commands would refuse to write."""
    rows = []
    for line in git("ls-tree", "HEAD", cwd=work).out.splitlines():
        meta, path = line.split("\t")
        m, _, s = meta.split()
        rows.append((m, path.encode(), s))
    rows.append((mode, name, sha))
    rows.sort(key=lambda r: r[1] + (b"/" if r[0] == "40000" else b""))
    data = b"".join(m.encode() + b" " + n + b"\0" + bytes.fromhex(s) for m, n, s in rows)
    return literal(work, "tree", data)


def expect_refused(wiki: GitWiki, work: Path, *args: str) -> str:
    before = wiki.snapshot()
    result = git("push", *args, cwd=work, ok=False)
    assert result.returncode != 0
    assert wiki.snapshot() == before, "a refused push changed the repository"
    wiki.fsck_clean()
    return result.err


def test_bad_pushes_are_refused_whole_and_leave_the_repository_unchanged(dev_server, tmp_path):
    wiki = GitWiki(dev_server)
    work = wiki.clone(tmp_path / "c")

    git("commit", "--amend", "-q", "-m", "rewrite history", cwd=work)
    assert "force push refused" in expect_refused(wiki, work, "--force")
    git("reset", "-q", "--hard", "origin/main", cwd=work)

    blob = literal(work, "blob", b"payload\n")
    inner = literal(work, "tree", b"100644 x.md\0" + bytes.fromhex(blob))
    for name, expected in ((b"..", "'..' segment"), (b".git", "reserved name")):
        tree = tree_with(work, name, "40000", inner)
        commit = git("commit-tree", tree, "-p", "HEAD", "-m", "sneaky", cwd=work).out.strip()
        assert expected in expect_refused(wiki, work, "origin", f"{commit}:refs/heads/main")

    tree = git("rev-parse", "HEAD^{tree}", cwd=work).out.strip()
    parent = git("rev-parse", "HEAD", cwd=work).out.strip()
    who = "Carol <carol@example.com> 1700000000 +0000"
    raw = f"tree {tree}\nparent {parent}\nauthor {who}\ncommitter {who}\n\nnul\0here\n"
    commit = literal(work, "commit", raw.encode())
    assert "U+0000" in expect_refused(wiki, work, "origin", f"{commit}:refs/heads/main")

    (work / "huge.md").write_text("z" * 1_000_001)
    commit_all(work, "oversize page")
    assert "the limit is 1,000,000" in expect_refused(wiki, work)
    git("reset", "-q", "--hard", "origin/main", cwd=work)
    assert "deleting main is refused" in expect_refused(wiki, work, "origin", ":main")
    assert "only main" in expect_refused(wiki, work, "origin", "HEAD:refs/heads/side")


def test_a_commit_pointing_at_another_wikis_objects_is_refused(dev_server, tmp_path):
    victim = GitWiki(dev_server)
    asyncio.run(tool(victim.mcp_url, victim.token, "write_note", path="Secret", content="hunter2"))
    asyncio.run(tool(victim.mcp_url, victim.token, "read_note", path="Secret"))  # warm caches
    victim_repo = WikiStore.open(victim.repo).repo
    secret = victim_repo.blob_id(victim_repo.tree_of(victim_repo.head()), "secret.md")

    attacker = GitWiki(dev_server)
    repo = WikiStore.open(attacker.repo).repo
    head = repo.head()
    tree = repo.objects[repo.tree_of(head)]
    tree.add(b"stolen.md", 0o100644, secret)
    commit = Commit()
    commit.tree, commit.parents = tree.id, [head]
    commit.author = commit.committer = b"Mallory <m@example.com>"
    commit.author_time = commit.commit_time = 1700000000
    commit.author_timezone = commit.commit_timezone = 0
    commit.message = b"steal\n"
    pack = io.BytesIO()
    write_pack_objects(pack.write, [(tree, None), (commit, None)], DEFAULT_OBJECT_FORMAT)
    command = head + b" " + commit.id + b" refs/heads/main\0report-status side-band-64k"
    before = attacker.snapshot()
    request = urllib.request.Request(
        f"{dev_server.base}/{attacker.owner}/{attacker.slug}.git/git-receive-pack",
        data=pkt_line(command) + pkt_line(None) + pack.getvalue(),
        headers={
            "Content-Type": "application/x-git-receive-pack-request",
            "Authorization": basic(attacker.token),
        },
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        reply = response.read()
    assert b"ng refs/heads/main missing objects" in reply and b"hunter2" not in reply
    assert attacker.snapshot() == before
    attacker.fsck_clean()
    clone = attacker.clone(tmp_path / "after")
    assert not (clone / "stolen.md").exists()


# -- payload limits ------------------------------------------------------------------------------


def test_transfers_over_the_payload_limit_fail_with_a_message_git_prints(dev_server, tmp_path):
    wiki = GitWiki(dev_server)
    work = wiki.clone(tmp_path / "c")
    (work / "home").mkdir()
    (work / "home" / "a.bin").write_bytes(os.urandom(2_500_000))  # chunked POST, under the limit
    commit_all(work, "first half")
    git("push", cwd=work)
    (work / "home" / "b.bin").write_bytes(os.urandom(2_500_000))
    (work / "home" / "c.bin").write_bytes(os.urandom(2_500_000))
    commit_all(work, "two more")
    before = wiki.snapshot()
    too_big = git("push", cwd=work, ok=False)
    assert too_big.returncode != 0 and "413" in too_big.err
    assert wiki.snapshot() == before

    # Push in steps instead: one file per commit, each push under the limit.
    git("reset", "-q", "--soft", "origin/main", cwd=work)
    git("restore", "--staged", ".", cwd=work)
    for name in ("b.bin", "c.bin"):
        git("add", f"home/{name}", cwd=work)
        git("commit", "-q", "-m", f"add {name}", cwd=work)
        git("push", cwd=work)

    clone = git("clone", wiki.url(), str(tmp_path / "whole"), ok=False)
    assert clone.returncode != 0
    assert "fatal: remote error: this clone/fetch needs more than 4.0 MiB" in clone.err

    fetched = tmp_path / "steps"
    git("init", "-q", "-b", "main", str(fetched))
    git("remote", "add", "origin", wiki.url(), cwd=fetched)
    # Commit ids as get_recent_changes lists them, oldest first.
    for commit_id in [c.id.decode() for c in reversed(list(WikiStore.open(wiki.repo).repo.log()))]:
        git("fetch", "-q", "origin", f"+{commit_id}:refs/remotes/origin/main", cwd=fetched)
    git("fetch", "origin", cwd=fetched)
    git("checkout", "-q", "main", cwd=fetched)
    assert sorted(p.name for p in (fetched / "home").iterdir()) == ["a.bin", "b.bin", "c.bin"]


# -- racing MCP writers --------------------------------------------------------------------------


def test_ten_mcp_writers_and_a_pushing_client_lose_nothing(dev_server, tmp_path):
    wiki = GitWiki(dev_server)
    work = wiki.clone(tmp_path / "c")
    asyncio.run(tool(wiki.mcp_url, wiki.token, "read_note", path="Home"))  # one warm worker
    mcp_revisions: list[str] = []
    pushed: list[tuple[str, str]] = []  # (file, commit id the server acknowledged)
    rejections = 0

    acknowledged: list[tuple[int, int]] = []

    async def writer(n: int) -> None:
        i = 0
        while i < 5:
            # A write that times out on a loaded machine was never acknowledged: the claim is
            # that every acknowledged write survives, so only those are counted; the session is
            # opened again after a failure.
            with contextlib.suppress(Exception):
                async with mcp(wiki.mcp_url, wiki.token) as c:
                    while i < 5:
                        i += 1
                        result = await c.call_tool(
                            "write_note", {"path": f"W{n}/N{i}", "content": f"{n}.{i}"}
                        )
                        text = result.content[0].text
                        mcp_revisions.append(text.split("revision: ")[1].strip())
                        acknowledged.append((n, i))

    def pusher(stop: threading.Event) -> None:
        nonlocal rejections
        i = 0
        # Paced like a person (or a sync script): pushes keep coming while the agents write.
        while (not stop.is_set() or i < 3) and i < 40:
            (work / f"git-{i}.md").write_text(f"git {i}\n")
            commit_all(work, f"git {i}")
            for _ in range(40):
                if git("push", "-q", cwd=work, ok=False).returncode == 0:
                    pushed.append((f"git-{i}.md", git("rev-parse", "HEAD", cwd=work).out.strip()))
                    break
                rejections += 1
                git("pull", "-q", "--rebase", cwd=work)
            else:
                raise AssertionError(f"push {i} never landed")
            i += 1
            time.sleep(0.5)

    async def go() -> None:
        stop = threading.Event()
        push_task = asyncio.to_thread(pusher, stop)
        pushing = asyncio.ensure_future(push_task)
        await asyncio.gather(*(writer(n) for n in range(10)))
        stop.set()
        await pushing

    asyncio.run(go())
    assert len(acknowledged) >= 25 and len(pushed) >= 3, (len(acknowledged), len(pushed))

    final = wiki.clone(tmp_path / "final")
    for revision in mcp_revisions + [sha for _, sha in pushed]:
        assert (
            git("merge-base", "--is-ancestor", revision, "HEAD", cwd=final, ok=False).returncode
            == 0
        ), revision
    for n, i in acknowledged:
        assert (final / f"w{n}" / f"n{i}.md").read_text() == f"{n}.{i}"
    for name, _ in pushed:
        assert (final / name).exists()
    wiki.fsck_clean()
