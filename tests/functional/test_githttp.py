"""Git smart HTTP (`wikibot.githttp.make_app`) driven by the real `git` CLI over loopback.

The WSGI app runs in a threaded wsgiref server, so these tests see exactly what git sees:
clone, push, the refusals (with the text git prints), the repository left unchanged, and
`git fsck --strict` clean. End-to-end tests through `wikibot dev` are in tests/e2e/test_git*.py.
"""

from __future__ import annotations

import base64
import io
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from dulwich.object_format import DEFAULT_OBJECT_FORMAT
from dulwich.objects import Blob, Commit, Tree
from dulwich.pack import write_pack_objects
from dulwich.protocol import pkt_line

from wikibot.githttp import make_app
from wikibot.local.dev import local_settings
from wikibot.provision import create_wiki
from wikibot.registry import open_registry
from wikibot.store import Author, WikiStore, wiki_path

BOB = Author("Bob", "bob@example.com", "mcp")


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@dataclass
class Wiki:
    owner: str
    slug: str
    token: str
    repo: Path

    def store(self) -> WikiStore:
        return WikiStore.open(self.repo)


@dataclass
class Server:
    base: str
    settings: object
    registry: object

    def url(self, wiki: Wiki, token: str | None = "") -> str:
        """Clone URL with `token` as the Basic password ("" = the wiki's own, None = none)."""
        secret = wiki.token if token == "" else token
        host = self.base.removeprefix("http://")
        auth = f"git:{secret}@" if secret else ""
        return f"http://{auth}{host}/{wiki.owner}/{wiki.slug}.git"

    def wiki(self, owner: str, slug: str) -> Wiki:
        try:
            self.registry.create_user(owner, f"{owner}@example.com", owner.title())
        except Exception:  # noqa: BLE001 - the user exists already
            pass
        create_wiki(self.settings, self.registry, owner, slug, slug.title())
        _, token = self.registry.create_token(owner, owner, slug)
        return Wiki(owner, slug, token, wiki_path(self.settings.data_root, owner, slug))


def serve(app) -> tuple[_ThreadingServer, str]:
    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture
def server(tmp_path):
    settings = local_settings(tmp_path / "data")
    registry = open_registry(settings)
    httpd, base = serve(make_app(settings))
    yield Server(base, settings, registry)
    httpd.shutdown()
    httpd.server_close()


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


def git(*args: str, cwd: Path | None = None, input: bytes | None = None, ok: bool = True):
    """Run the git CLI; returns the CompletedProcess (text output unless `input` is bytes)."""
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        input=input,
        capture_output=True,
        timeout=60,
    )
    result.out = result.stdout.decode("utf-8", "replace")
    result.err = result.stderr.decode("utf-8", "replace")
    if ok:
        assert result.returncode == 0, f"git {' '.join(args)} failed:\n{result.err}"
    return result


def snapshot(repo: Path) -> tuple:
    """Everything a push could change: refs and the object files."""
    files = sorted(
        str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file() and "objects" in p.parts
    )
    refs = sorted(
        (str(p.relative_to(repo)), p.read_text()) for p in (repo / "refs").rglob("*") if p.is_file()
    )
    return files, refs


def fsck_clean(repo: Path) -> None:
    result = git("--git-dir", str(repo), "fsck", "--strict", "--no-dangling")
    assert result.err.strip() == "" and result.out.strip() == "", result.err + result.out


def clone(server: Server, wiki: Wiki, dest: Path) -> Path:
    git("clone", server.url(wiki), str(dest))
    return dest


# -- clone, push, read back ---------------------------------------------------------------------


def test_clone_commit_push_then_the_store_reads_the_page_and_its_links(server, tmp_path):
    wiki = server.wiki("alice", "notes")
    store = wiki.store()
    assert store.links("Home").incoming == []  # the store indexes the head before the push
    work = clone(server, wiki, tmp_path / "c")
    assert (work / "home.md").exists()
    (work / "projects").mkdir()
    (work / "projects" / "alpha.md").write_text("# Alpha\n\nSee [[Home]].\n")
    git("add", ".", cwd=work)
    git("commit", "-m", "Add Alpha", cwd=work)
    pushed = git("push", cwd=work)
    assert "main -> main" in pushed.err

    page = store.read("Projects/Alpha")
    assert "See [[Home]]." in page.text
    assert page.revision == git("rev-parse", "HEAD", cwd=work).out.strip()
    # The store's queries follow the pushed head: backlinks, listings, history.
    assert "Projects/Alpha" in store.links("Home").incoming
    assert store.recent_changes(1)[0].pages == ("Projects/Alpha",)
    assert store.history("Projects/Alpha")[0].author == "Carol"
    fsck_clean(wiki.repo)


def test_pull_brings_store_writes_and_bearer_header_works(server, tmp_path):
    wiki = server.wiki("alice", "notes")
    work = clone(server, wiki, tmp_path / "c")
    wiki.store().write("From Mcp", "written by an agent", BOB)
    git("pull", "--ff-only", cwd=work)
    assert (work / "from mcp.md").read_text() == "written by an agent"
    # `git -c http.extraHeader` with the token as a bearer credential, no userinfo in the URL.
    plain = f"{server.base}/alice/notes.git"
    header = f"http.extraHeader=Authorization: Bearer {wiki.token}"
    git("-c", header, "clone", plain, str(tmp_path / "bearer"))
    assert (tmp_path / "bearer" / "from mcp.md").exists()


# -- who may do what ---------------------------------------------------------------------------


def http_get(url: str, authorization: str | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url)
    if authorization:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def basic(token: str) -> str:
    return "Basic " + base64.b64encode(f"git:{token}".encode()).decode()


def test_anonymous_clone_of_a_private_wiki_gets_401_with_a_basic_challenge(server, tmp_path):
    wiki = server.wiki("alice", "notes")
    refs = f"{server.base}/alice/notes.git/info/refs?service=git-upload-pack"
    status, headers, body = http_get(refs)
    assert status == 401
    assert headers["WWW-Authenticate"] == 'Basic realm="wikibot"'
    assert b"refs/heads" not in body
    result = git("clone", server.url(wiki, token=None), str(tmp_path / "anon"), ok=False)
    assert result.returncode != 0
    assert not (tmp_path / "anon" / "home.md").exists()
    # A wrong token is a 401 too (git then drops it from its credential helper).
    status, _, _ = http_get(
        f"{server.base}/alice/notes.git/info/refs?service=git-upload-pack",
        basic("wbt_" + "A" * 43),
    )
    assert status == 401


def test_another_wikis_token_gets_403_and_no_data(server, tmp_path):
    alice = server.wiki("alice", "notes")
    mallory = server.wiki("mallory", "own")
    for service in ("git-upload-pack", "git-receive-pack"):
        url = f"{server.base}/alice/notes.git/info/refs?service={service}"
        status, _, body = http_get(url, basic(mallory.token))
        assert status == 403
        assert alice.store().repo.head().decode() not in body.decode()
        assert b"refs/heads" not in body
    result = git("clone", server.url(alice, token=mallory.token), str(tmp_path / "x"), ok=False)
    assert result.returncode != 0 and "403" in result.err
    # A wiki that does not exist answers the same as one you cannot see.
    status, _, _ = http_get(
        f"{server.base}/alice/nope.git/info/refs?service=git-upload-pack", basic(mallory.token)
    )
    assert status == 403


def test_a_viewer_clones_but_cannot_push(server, tmp_path):
    wiki = server.wiki("alice", "notes")
    server.registry.create_user("victor", "victor@example.com", "Victor")
    server.registry.put_member("alice", "notes", "victor", "viewer")
    _, viewer_token = server.registry.create_token("victor", "alice", "notes")
    work = tmp_path / "v"
    git("clone", server.url(wiki, token=viewer_token), str(work))
    (work / "viewer.md").write_text("no\n")
    git("add", ".", cwd=work)
    git("commit", "-m", "viewer edit", cwd=work)
    before = snapshot(wiki.repo)
    result = git("push", cwd=work, ok=False)
    assert result.returncode != 0 and "403" in result.err
    assert "cannot" in result.err  # git prints the text/plain body as `remote:` lines
    assert snapshot(wiki.repo) == before


# -- refused pushes ----------------------------------------------------------------------------


def refused(server: Server, wiki: Wiki, work: Path, *push_args: str) -> str:
    """Push, expect a refusal; check the repository is unchanged and fsck-clean."""
    before = snapshot(wiki.repo)
    result = git("push", *push_args, cwd=work, ok=False)
    assert result.returncode != 0, result.err
    assert snapshot(wiki.repo) == before
    fsck_clean(wiki.repo)
    return result.err


def test_force_push_branch_deletion_and_other_refs_are_refused(server, tmp_path):
    wiki = server.wiki("alice", "notes")
    work = clone(server, wiki, tmp_path / "c")
    git("commit", "--amend", "-m", "rewritten history", cwd=work)
    err = refused(server, wiki, work, "--force")
    assert "force push refused" in err and "history is the audit trail" in err
    git("reset", "--hard", "origin/main", cwd=work)
    assert "deleting main is refused" in refused(server, wiki, work, "origin", ":main")
    assert "only main can be pushed" in refused(server, wiki, work, "origin", "HEAD:refs/heads/x")
    assert "only main can be pushed" in refused(server, wiki, work, "origin", "HEAD:refs/tags/v1")


def literal(work: Path, kind: str, data: bytes) -> str:
    """Write an object git's own commands would refuse to build; returns its id."""
    args = ["hash-object", "-t", kind, "--literally", "-w", "--stdin"]
    return git(*args, cwd=work, input=data).out.strip()


def tree_bytes(*entries: tuple[str, bytes, str]) -> bytes:
    return b"".join(m.encode() + b" " + name + b"\0" + bytes.fromhex(s) for m, name, s in entries)


@pytest.mark.parametrize(
    ("bad_name", "expected"),
    [(b"..", "'..' segment"), (b".git", "reserved name"), (b".GIT", "reserved name")],
)
def test_pushes_with_unsafe_paths_are_refused(server, tmp_path, bad_name, expected):
    wiki = server.wiki("alice", "notes")
    work = clone(server, wiki, tmp_path / "c")
    blob = literal(work, "blob", b"[core]\n\thooksPath = /tmp\n")
    inner = literal(work, "tree", tree_bytes(("100644", b"config", blob)))
    head_tree = git("rev-parse", "HEAD^{tree}", cwd=work).out.strip()
    entries = [line.split("\t") for line in git("ls-tree", head_tree, cwd=work).out.splitlines()]
    rows = [(m.split()[0], name.encode(), m.split()[2]) for m, name in entries]
    rows.append(("40000", bad_name, inner))
    rows.sort(key=lambda r: r[1] + (b"/" if r[0] == "40000" else b""))
    tree = literal(work, "tree", tree_bytes(*rows))
    commit = git("commit-tree", tree, "-p", "HEAD", "-m", "sneak", cwd=work).out.strip()
    err = refused(server, wiki, work, "origin", f"{commit}:refs/heads/main")
    assert expected in err and "rule violated" in err


def test_nul_in_a_commit_message_is_refused(server, tmp_path):
    wiki = server.wiki("alice", "notes")
    work = clone(server, wiki, tmp_path / "c")
    tree = git("rev-parse", "HEAD^{tree}", cwd=work).out.strip()
    parent = git("rev-parse", "HEAD", cwd=work).out.strip()
    who = "Carol <carol@example.com> 1700000000 +0000"
    raw = f"tree {tree}\nparent {parent}\nauthor {who}\ncommitter {who}\n\nhi\0there\n"
    commit = literal(work, "commit", raw.encode())
    err = refused(server, wiki, work, "origin", f"{commit}:refs/heads/main")
    assert "U+0000" in err and "bad commit message" in err


def test_an_oversize_page_a_symlink_and_a_bad_page_name_are_refused(server, tmp_path):
    wiki = server.wiki("alice", "notes")
    work = clone(server, wiki, tmp_path / "c")
    limit = server.settings.limits.max_page_bytes
    (work / "big.md").write_text("x" * (limit + 1))
    git("add", ".", cwd=work)
    git("commit", "-m", "too big", cwd=work)
    assert f"the limit is {limit:,}" in refused(server, wiki, work)
    git("reset", "--hard", "origin/main", cwd=work)
    os.symlink("/etc/passwd", work / "link")
    git("add", ".", cwd=work)
    git("commit", "-m", "symlink", cwd=work)
    assert "only regular files" in refused(server, wiki, work)
    git("reset", "--hard", "origin/main", cwd=work)
    (work / "Upper Case.md").write_text("x\n")
    git("add", ".", cwd=work)
    git("commit", "-m", "bad page name", cwd=work)
    assert "canonical" in refused(server, wiki, work)


def test_a_bad_commit_deep_in_a_push_refuses_the_whole_push(server, tmp_path):
    wiki = server.wiki("alice", "notes")
    work = clone(server, wiki, tmp_path / "c")
    (work / "good.md").write_text("fine\n")
    git("add", ".", cwd=work)
    git("commit", "-m", "good", cwd=work)
    (work / "big.md").write_text("y" * (server.settings.limits.max_page_bytes + 1))
    git("add", ".", cwd=work)
    git("commit", "-m", "bad", cwd=work)
    git("rm", "-q", "big.md", cwd=work)
    git("commit", "-m", "remove it again", cwd=work)
    err = refused(server, wiki, work)
    assert "limit is" in err
    assert not wiki.store().exists("Good")


# -- connectivity, races ----------------------------------------------------------------------


def receive_pack(server: Server, wiki: Wiki, old: bytes, new: bytes, objects: list) -> bytes:
    """POST a hand-built receive-pack request (what a hostile client could send)."""
    pack = io.BytesIO()
    write_pack_objects(pack.write, [(o, None) for o in objects], DEFAULT_OBJECT_FORMAT)
    command = old + b" " + new + b" refs/heads/main\0report-status side-band-64k"
    body = pkt_line(command) + pkt_line(None) + pack.getvalue()
    request = urllib.request.Request(
        f"{server.base}/{wiki.owner}/{wiki.slug}.git/git-receive-pack",
        data=body,
        headers={
            "Content-Type": "application/x-git-receive-pack-request",
            "Authorization": basic(wiki.token),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def commit_on(store: WikiStore, tree: Tree, message: bytes = b"msg\n") -> Commit:
    commit = Commit()
    commit.tree = tree.id
    commit.parents = [store.repo.head()]
    commit.author = commit.committer = b"Mallory <m@example.com>"
    commit.author_time = commit.commit_time = 1700000000
    commit.author_timezone = commit.commit_timezone = 0
    commit.message = message
    return commit


def test_a_commit_pointing_at_another_wikis_objects_is_refused(server, tmp_path):
    victim = server.wiki("alice", "secrets")
    victim.store().write("Password", "hunter2", BOB)
    victim.store().read("Password")  # warm every process-wide cache with the victim's blob
    secret_blob = victim.store().repo.blob_id(
        victim.store().repo.tree_of(victim.store().repo.head()), "password.md"
    )
    attacker = server.wiki("mallory", "own")
    store = attacker.store()
    tree = store.repo.objects[store.repo.tree_of(store.repo.head())]
    tree.add(b"stolen.md", 0o100644, secret_blob)
    commit = commit_on(store, tree)
    before = snapshot(attacker.repo)
    reply = receive_pack(server, attacker, store.repo.head(), commit.id, [tree, commit])
    assert b"ng refs/heads/main missing objects" in reply
    assert secret_blob.decode() in reply.decode()  # the message names the missing object
    assert b"hunter2" not in reply
    assert snapshot(attacker.repo) == before
    fsck_clean(attacker.repo)


def test_the_loser_of_a_race_gets_fetch_first_and_nothing_is_lost(server, tmp_path):
    wiki = server.wiki("alice", "notes")
    store = wiki.store()
    seen = store.repo.head()  # what the pushing client advertised-read
    won = store.write("Winner", "landed first", BOB).revision  # MCP commits in between
    blob = Blob.from_string(b"late\n")
    tree = store.repo.objects[store.repo.tree_of(seen)]
    tree.add(b"late.md", 0o100644, blob.id)
    commit = Commit()
    commit.tree, commit.parents = tree.id, [seen]
    commit.author = commit.committer = b"Carol <carol@example.com>"
    commit.author_time = commit.commit_time = 1700000000
    commit.author_timezone = commit.commit_timezone = 0
    commit.message = b"late\n"
    reply = receive_pack(server, wiki, seen, commit.id, [blob, tree, commit])
    assert b"ng refs/heads/main fetch first" in reply
    assert b"git pull" in reply
    assert store.repo.head().decode() == won


def test_push_while_the_store_writes_keeps_every_acknowledged_write(server, tmp_path):
    wiki = server.wiki("alice", "notes")
    work = clone(server, wiki, tmp_path / "c")
    acknowledged: list[str] = []

    def writer(n: int) -> None:
        store = wiki.store()
        for i in range(15):
            store.write(f"W{n}-{i}", f"writer {n} note {i}", BOB)
            acknowledged.append(f"w{n}-{i}.md")
            time.sleep(0.02)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    pushed: list[str] = []
    rejected = 0
    try:
        for i in range(5):
            (work / f"git-{i}.md").write_text(f"push {i}\n")
            git("add", ".", cwd=work)
            git("commit", "-m", f"git {i}", cwd=work)
            for _ in range(30):
                if git("push", cwd=work, ok=False).returncode == 0:
                    pushed.append(f"git-{i}.md")
                    break
                rejected += 1
                git("pull", "--rebase", cwd=work)
    finally:
        for t in threads:
            t.join()
    assert len(pushed) == 5
    repo = wiki.store().repo
    files = {path for path, _ in repo.walk_files(repo.tree_of(repo.head()))}
    assert len(acknowledged) == 60
    assert set(acknowledged) <= files and set(pushed) <= files
    fsck_clean(wiki.repo)


# -- payload limits ----------------------------------------------------------------------------


@pytest.fixture
def small_server(tmp_path):
    """The app with a 200 kB transfer limit, so limits are cheap to reach."""
    from wikibot.githttp.app import GitHttpApp

    settings = local_settings(tmp_path / "data")
    registry = open_registry(settings)
    httpd, base = serve(GitHttpApp(settings, registry=registry, max_transfer_bytes=200_000))
    yield Server(base, settings, registry)
    httpd.shutdown()
    httpd.server_close()


def test_a_clone_over_the_transfer_limit_gets_an_error_git_prints(small_server, tmp_path):
    wiki = small_server.wiki("alice", "notes")
    wiki.store().put_attachment("Home", "noise.bin", os.urandom(300_000), BOB)
    result = git("clone", small_server.url(wiki), str(tmp_path / "c"), ok=False)
    assert result.returncode != 0
    assert "fatal: remote error: this clone/fetch needs more than 0.2 MiB" in result.err
    assert "6 MiB payload limit" in result.err


def test_a_wiki_over_the_limit_is_fetched_one_commit_at_a_time(small_server, tmp_path):
    wiki = small_server.wiki("alice", "notes")
    store = wiki.store()
    for i in range(4):  # each commit brings 90 kB that does not compress: 360 kB in all
        store.put_attachment("Home", f"part{i}.bin", os.urandom(90_000), BOB)
    full = git("clone", small_server.url(wiki), str(tmp_path / "full"), ok=False)
    assert full.returncode != 0 and "remote error" in full.err
    # The README recipe: commit ids (get_history / the web UI's history), oldest first, each
    # fetched into a ref so the next fetch only brings what is new.
    work = tmp_path / "c"
    git("init", "-q", "-b", "main", str(work))
    git("remote", "add", "origin", small_server.url(wiki), cwd=work)
    for change in reversed(store.recent_changes(5)):
        git("fetch", "origin", f"+{change.id}:refs/remotes/origin/main", cwd=work)
    git("fetch", "origin", cwd=work)
    git("checkout", "-q", "main", cwd=work)
    assert len(list((work / "home").glob("part*.bin"))) == 4
    assert git("rev-parse", "HEAD", cwd=work).out.strip() == store.repo.head().decode()


def test_a_push_over_the_transfer_limit_is_refused_with_a_message(small_server, tmp_path):
    wiki = small_server.wiki("alice", "notes")
    work = clone(small_server, wiki, tmp_path / "c")
    (work / "home").mkdir()
    (work / "home" / "big.bin").write_bytes(os.urandom(250_000))
    git("add", ".", cwd=work)
    git("commit", "-m", "big", cwd=work)
    before = snapshot(wiki.repo)
    result = git("push", cwd=work, ok=False)
    assert result.returncode != 0
    assert "push too large" in result.err and "exceeds the 0.2 MiB" in result.err
    assert snapshot(wiki.repo) == before


def test_pushes_count_against_the_plan_and_are_recorded(tmp_path):
    settings = replace(local_settings(tmp_path / "data"), plan_max_pages=5)
    registry = open_registry(settings)
    httpd, base = serve(make_app(settings))
    try:
        server = Server(base, settings, registry)
        wiki = server.wiki("alice", "notes")
        pages = registry.get_wiki("alice", "notes").page_count
        work = clone(server, wiki, tmp_path / "c")
        for i in range(5 - pages + 1):
            (work / f"page {i}.md").write_text(f"page {i}\n")
        git("add", ".", cwd=work)
        git("commit", "-q", "-m", "too many pages", cwd=work)
        err = refused(server, wiki, work)
        assert "over the plan's limit" in err and "the plan allows 5" in err
        git("reset", "-q", "--hard", "origin/main", cwd=work)
        (work / "one more.md").write_text("fits\n")
        git("add", ".", cwd=work)
        git("commit", "-q", "-m", "one page", cwd=work)
        git("push", cwd=work)
        record = registry.get_wiki("alice", "notes")
        assert record.page_count == pages + 1
        git("rm", "-q", "one more.md", cwd=work)
        git("commit", "-q", "-m", "remove it", cwd=work)
        git("push", cwd=work)
        assert registry.get_wiki("alice", "notes").page_count == pages
        assert registry.get_wiki("alice", "notes").bytes == record.bytes - len("fits\n")
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_thin_pack_bases_resolve_only_from_the_same_wiki(server):
    from wikibot.githttp.verify import Quarantine

    victim = server.wiki("alice", "secrets")
    victim.store().write("Password", "hunter2", BOB)
    repo = victim.store().repo
    secret = repo.blob_id(repo.tree_of(repo.head()), "password.md")
    attacker = server.wiki("mallory", "own")
    quarantine = Quarantine(attacker.store().repo.objects)
    with pytest.raises(KeyError):
        quarantine.get_raw(secret)  # a delta against the victim's blob cannot be resolved
    assert Quarantine(repo.objects).get_raw(secret)[1] == b"hunter2"


def test_a_gzip_encoded_fetch_request_is_served(server):
    import gzip

    wiki = server.wiki("alice", "notes")
    head = wiki.store().repo.head()
    body = pkt_line(b"want " + head + b" side-band-64k thin-pack ofs-delta\n") + pkt_line(None)
    body += pkt_line(b"done\n")
    request = urllib.request.Request(
        f"{server.base}/alice/notes.git/git-upload-pack",
        data=gzip.compress(body),
        headers={
            "Content-Type": "application/x-git-upload-pack-request",
            "Content-Encoding": "gzip",
            "Authorization": basic(wiki.token),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert b"PACK" in response.read()


def test_a_clone_over_the_limit_without_deltas_is_sent_with_deltas(small_server, tmp_path):
    wiki = small_server.wiki("alice", "notes")
    store = wiki.store()
    for i in range(100):
        store.write(f"Page {i}", f"page {i}\n", BOB)
    for round_ in range(130):  # each commit: a new 100-entry root tree (2 kB of raw ids)
        page = store.read(f"Page {round_ % 100}")
        store.write(page.name, f"page {round_}\n", BOB, revision=page.revision)
    from dulwich.object_store import MissingObjectFinder
    from dulwich.pack import write_pack_from_container
    from dulwich.repo import Repo

    plain = io.BytesIO()
    with Repo(str(wiki.repo)) as repo:
        ids = list(MissingObjectFinder(repo.object_store, [], [store.repo.head()]))
        write_pack_from_container(plain.write, repo.object_store, ids, DEFAULT_OBJECT_FORMAT)
    assert len(plain.getvalue()) > 200_000  # over this server's limit without deltas
    work = tmp_path / "c"
    git("clone", small_server.url(wiki), str(work))
    assert git("rev-list", "--count", "HEAD", cwd=work).out.strip() == "231"
    git("fsck", "--strict", cwd=work)


def test_the_readme_credential_helper_recipe_works(server, tmp_path):
    wiki = server.wiki("alice", "notes")
    store_file = tmp_path / "credentials"
    helper = f"credential.helper=store --file={store_file}"
    host = server.base.removeprefix("http://")
    # What `git clone` stores after the first prompt (user name: anything; password: token).
    git(
        "-c",
        helper,
        "credential",
        "approve",
        input=f"protocol=http\nhost={host}\nusername=me\npassword={wiki.token}\n\n".encode(),
    )
    plain = f"{server.base}/alice/notes.git"
    git("-c", helper, "clone", plain, str(tmp_path / "c"))
    assert (tmp_path / "c" / "home.md").exists()
    assert wiki.token not in (tmp_path / "c" / ".git" / "config").read_text()


def test_a_public_wiki_clones_anonymously_but_a_push_asks_for_a_token(server, tmp_path):
    wiki = server.wiki("alice", "open")
    server.registry.update_wiki("alice", "open", public=True)
    work = tmp_path / "c"
    git("clone", server.url(wiki, token=None), str(work))
    (work / "anon.md").write_text("drive-by\n")
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "anonymous", cwd=work)
    url = f"{server.base}/alice/open.git/info/refs?service=git-receive-pack"
    status, headers, _ = http_get(url)
    assert status == 401 and headers.get("WWW-Authenticate") == 'Basic realm="wikibot"'
    before = snapshot(wiki.repo)
    assert git("push", cwd=work, ok=False).returncode != 0
    assert snapshot(wiki.repo) == before
