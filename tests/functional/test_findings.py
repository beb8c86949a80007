"""Issue 6's findings, each reproduced through the MCP Lambda handler (warm, in one process).

Each test drove `wikibot dev` into the bad state before the store fixes; now each checks that the
store keeps its promise: nothing lost or overwritten silently, nothing unbounded, nothing shared
between wikis.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest
from dulwich.objects import Commit
from dulwich.repo import Repo

from wikibot.local.dev import local_settings
from wikibot.local.gateway import FakeLambdaContext
from wikibot.mcp.handler import make_handler
from wikibot.provision import create_wiki
from wikibot.registry import open_registry
from wikibot.store import GitRepo, wiki_path
from wikibot.store.rules import MAX_MESSAGE_CHARS

EVENT = json.loads((Path(__file__).parent.parent / "events" / "apigw_v2_post_mcp.json").read_text())


class Wiki:
    """One wiki reached through the MCP handler with an owner's token."""

    def __init__(self, handler, token: str, owner: str, slug: str, path: Path):
        self.handler, self.token, self.owner, self.slug, self.path = (
            handler,
            token,
            owner,
            slug,
            path,
        )

    def call(self, tool: str, **arguments) -> tuple[bool, str]:
        """(is_error, text) of one tools/call."""
        e = copy.deepcopy(EVENT)
        e["headers"]["authorization"] = f"Bearer {self.token}"
        route = f"/{self.owner}/{self.slug}/mcp"
        e["rawPath"] = route
        e["requestContext"]["http"]["path"] = route
        e["pathParameters"] = {"user": self.owner, "wiki": self.slug}
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": tool, "arguments": arguments},
        }
        e["body"] = json.dumps(body)
        e["headers"]["content-length"] = str(len(e["body"]))
        response = invoke(self.handler, e)
        assert response["statusCode"] == 200, response
        result = json.loads(response["body"])["result"]
        return bool(result.get("isError")), result["content"][0]["text"]

    def ok(self, tool: str, **arguments) -> str:
        is_error, text = self.call(tool, **arguments)
        assert not is_error, text
        return text

    def error(self, tool: str, **arguments) -> str:
        is_error, text = self.call(tool, **arguments)
        assert is_error, text
        return text

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", "--git-dir", str(self.path), *args],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def revision(self, page: str) -> str:
        text = self.ok("read_note", path=page)
        return next(line.split(": ")[1] for line in text.splitlines() if line.startswith("rev"))


def invoke(handler, event: dict) -> dict:
    """Call the handler on its own thread with its own event loop, as on Lambda."""
    out: dict = {}

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())  # Lambda's main thread has one
        try:
            out["response"] = handler(event, FakeLambdaContext("mcp"))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            out["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(60)
    if "error" in out:
        raise out["error"]
    return out["response"]


@pytest.fixture
def env(tmp_path):
    settings = local_settings(tmp_path / "data")
    registry = open_registry(settings)
    registry.create_user("alice", "alice@example.com", "Alice")
    handler = make_handler(settings)
    wikis = {}
    for slug in ("notes", "other"):
        create_wiki(settings, registry, "alice", slug, slug.title())
        _, token = registry.create_token("alice", "alice", slug)
        path = wiki_path(settings.data_root, "alice", slug)
        wikis[slug] = Wiki(handler, token, "alice", slug, path)
    return wikis


@pytest.fixture
def wiki(env):
    return env["notes"]


def fsck_clean(wiki: Wiki) -> None:
    result = subprocess.run(
        ["git", "--git-dir", str(wiki.path), "fsck", "--strict", "--no-dangling"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "error" not in result.stderr.lower() and "garbage" not in result.stderr.lower()


def test_1_deleting_a_page_keeps_its_subpages(wiki):
    wiki.ok("write_note", path="Rp", content="parent")
    wiki.ok("write_note", path="Rp/Alpha", content="child")
    wiki.ok("upload_attachment", path="Rp", filename="pic.png", content_base64="iVBORw0K")
    answer = wiki.ok("delete_note", path="Rp")
    assert "Rp" in answer and "pic.png" in answer  # says what went
    assert "Rp/Alpha" in answer  # and what stayed
    assert wiki.ok("read_note", path="Rp/Alpha").endswith("---\nchild")
    wiki.error("read_note", path="Rp")
    files = wiki.git("ls-tree", "-r", "--name-only", "main").splitlines()
    assert "rp/alpha.md" in files and "rp/pic.png" not in files and "rp.md" not in files


def test_2_attachments_and_subpages_stay_apart(wiki):
    wiki.ok("write_note", path="Rf", content="page")
    wiki.ok("write_note", path="Rf/Bar", content="subpage text")
    evil = "PGgxPmJpbmFyeTwvaDE+AP8="  # binary bytes that would replace the subpage
    refused = wiki.error("upload_attachment", path="Rf", filename="bar.md", content_base64=evil)
    assert "subpage" in refused and "write_note" in refused
    assert wiki.ok("read_note", path="Rf/Bar").endswith("---\nsubpage text")
    wiki.ok("upload_attachment", path="Rf", filename="data.csv", content_base64="YSxi")
    listing = wiki.ok("list_attachments", path="Rf")
    assert "data.csv" in listing and "bar" not in listing.lower()
    assert "subpage" in wiki.error("delete_attachment", path="Rf", filename="bar.md")
    assert "bar.md" in wiki.error("download_attachment", path="Rf", filename="bar.md")
    assert wiki.git("show", "main:rf/bar.md") == "subpage text"


def test_3_a_nul_in_a_commit_message_is_refused_and_the_repository_stays_valid(wiki):
    text = wiki.error("write_note", path="N", content="x", commit_message="bad\x00message")
    assert "U+0000" in text
    wiki.ok("write_note", path="N", content="x", commit_message="fine\r\nmessage")
    assert wiki.git("log", "-1", "--format=%B", "main").strip() == "fine\nmessage"
    fsck_clean(wiki)


def test_4_renaming_a_parent_moves_subpages_and_rewrites_links_to_them(wiki):
    wiki.ok("write_note", path="Parent", content="see [[Parent/Child]]")
    wiki.ok("write_note", path="Parent/Child", content="child, up: [[Parent]]")
    wiki.ok("upload_attachment", path="Parent", filename="a.txt", content_base64="YQ==")
    wiki.ok("write_note", path="Elsewhere", content="[[Parent/Child]] and [[Parent]]")
    answer = wiki.ok("rename_note", path="Parent", new_path="Archive/Parent")
    assert "Elsewhere" in answer
    assert "Archive/Parent/Child" in wiki.ok("read_note", path="Elsewhere")
    elsewhere = wiki.ok("read_note", path="Elsewhere").split("---\n", 1)[1]
    assert elsewhere == "[[Archive/Parent/Child]] and [[Archive/Parent]]"
    assert wiki.ok("read_note", path="Archive/Parent/Child").endswith("up: [[Archive/Parent]]")
    assert "a.txt" in wiki.ok("list_attachments", path="Archive/Parent")
    assert "(missing)" not in wiki.ok("read_note", path="Elsewhere")
    assert wiki.ok("find_orphaned_notes").count("Archive/Parent") == 0
    assert wiki.git("rev-list", "--count", "main").strip() == str(1 + 4 + 1)  # one commit


def test_5_history_reads_only_the_commits_it_returns(wiki, monkeypatch):
    wiki.ok("write_note", path="Old", content="old")
    for i in range(60):
        wiki.ok("write_note", path=f"Filler {i}", content=f"f{i}")
    wiki.ok("get_history", path="Home", limit=1)  # builds and persists the index once
    assert (wiki.path / "wikibot").is_dir()
    parsed: list[bytes] = []
    real = GitRepo.commit

    def counting(self, sha):
        parsed.append(sha)
        return real(self, sha)

    monkeypatch.setattr(GitRepo, "commit", counting)
    history = wiki.ok("get_history", path="Old", limit=10)
    assert len(history.splitlines()) == 1 and "create: Old" in history
    assert len(parsed) <= 3, f"history parsed {len(parsed)} commits"
    parsed.clear()
    assert "no history" in wiki.error("get_history", path="Never Written", limit=1)
    assert len(parsed) <= 2


def test_6_commit_messages_are_bounded(wiki):
    huge = "m" * 200_000
    assert "4,000" in wiki.error("write_note", path="M", content="x", commit_message=huge)
    wiki.ok("write_note", path="M", content="x", commit_message="m" * MAX_MESSAGE_CHARS)
    assert len(wiki.ok("get_recent_changes", limit=20)) < 20 * (MAX_MESSAGE_CHARS + 200)


@pytest.mark.parametrize("ch", ["\u200b", "\u202e", "\u2066", "\u2060", "\u200f", "\u00ad"])
def test_7_invisible_and_bidi_characters_are_refused_in_names(wiki, ch):
    text = wiki.error("write_note", path=f"Home{ch}", content="look-alike")
    assert f"U+{ord(ch):04X}" in text
    wiki.error("upload_attachment", path="Home", filename=f"a{ch}.png", content_base64="YQ==")
    assert wiki.git("rev-list", "--count", "main").strip() == "1"


def test_8_locks_left_by_a_killed_writer_do_not_block_the_next_write(wiki):
    wiki.ok("read_note", path="Home")  # warm: the timing below is the write alone
    # A writer killed a moment ago: it wrote objects first, then locked the branch.
    head = wiki.git("rev-parse", "main").strip()
    object_lock = wiki.path / "objects" / head[:2] / "0123456789abcdef.lock"
    object_lock.parent.mkdir(exist_ok=True)
    object_lock.write_bytes(b"half an object")
    ref_lock = wiki.path / "refs" / "heads" / "main.lock"
    ref_lock.write_text("left by a writer killed a moment ago")
    started = time.monotonic()
    assert "Created" in wiki.ok("write_note", path="After Kill", content="lands")
    elapsed = time.monotonic() - started
    assert not ref_lock.exists() and not object_lock.exists()
    print(f"write after a dead writer's fresh lock landed in {elapsed * 1000:.0f} ms")
    fsck_clean(wiki)


def test_9_repositories_are_private_to_the_service_user(wiki):
    for folder in (wiki.path, wiki.path.parent, wiki.path.parent.parent):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder


def test_11_a_cached_object_of_one_wiki_never_answers_for_another(env):
    a, b = env["notes"], env["other"]
    a.ok("write_note", path="Secret", content="only in notes")
    assert a.ok("read_note", path="Secret").endswith("only in notes")  # now cached
    a_tree = a.git("rev-parse", "main^{tree}").strip().encode()
    # A commit in B pointing at A's tree, which B does not have (a push could create this).
    repo = Repo(str(b.path))
    head = repo.refs[b"refs/heads/main"]
    forged = Commit()
    forged.tree = a_tree
    forged.parents = [head]
    forged.author = forged.committer = b"Mallory <m@example.com>"
    forged.author_time = forged.commit_time = int(time.time())
    forged.author_timezone = forged.commit_timezone = 0
    forged.message = b"point at another wiki's tree\n"
    repo.object_store.add_object(forged)
    repo.refs[b"refs/heads/main"] = forged.id
    for tool, args in [
        ("read_note", {"path": "Secret"}),
        ("list_notes", {}),
        ("search_notes", {"query": "only in notes"}),
        ("get_links", {"path": "Secret"}),
    ]:
        _, text = b.call(tool, **args)
        assert "only in notes" not in text and "Secret" not in text.replace("'Secret'", "")
