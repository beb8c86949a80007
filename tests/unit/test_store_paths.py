"""The path-level layer (RepoFiles) and its per-head index, on real bare repositories."""

from __future__ import annotations

import subprocess

import pytest
from dulwich.objects import Blob, Commit
from dulwich.repo import Repo

from wikibot.errors import Conflict, InvalidInput, NotFound, TooLarge
from wikibot.settings import Limits
from wikibot.store import Author, GitRepo, WikiStore, headindex, wiki_path
from wikibot.store.deltas import DELTA_DIR
from wikibot.store.headindex import Snapshot
from wikibot.store.paths import RepoFiles

ANN = Author("Ann", "ann@example.com", "web")


@pytest.fixture
def files(tmp_path):
    path = wiki_path(tmp_path, "ann", "notes")
    return RepoFiles(GitRepo.init(path), Limits(max_page_bytes=100, max_attachment_bytes=50))


def git(files, *args):
    return subprocess.run(
        ["git", "--git-dir", str(files.repo.path), *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_commit_read_list_exists_size(files):
    first = files.commit(
        {"home.md": b"# Home\n", "home/pic.png": b"\x89PNG"}, ANN, "seed", expected_head=None
    )
    assert files.head() == first
    assert files.read("home.md") == b"# Home\n"
    assert files.exists("home.md") and not files.exists("home")
    assert files.isdir("home") and files.isdir("") and not files.isdir("home.md")
    assert files.size("home/pic.png") == 4
    assert files.list() == (["home.md", "home/pic.png"], ["home"])
    assert files.list("home") == (["pic.png"], [])
    assert files.list(depth=0) == (["home.md"], ["home"])
    with pytest.raises(NotFound):
        files.read("nope.md")
    # Nothing changed: no commit.
    assert files.commit({"home.md": b"# Home\n"}, ANN, "same") is None
    assert git(files, "rev-list", "--count", "main").strip() == "1"


def test_commit_is_compare_and_set_and_applies_the_rules(files):
    first = files.commit({"a.md": b"1"}, ANN, "one", expected_head=None)
    second = files.commit({"a.md": b"2"}, ANN, "two", expected_head=first)
    with pytest.raises(Conflict) as err:
        files.commit({"a.md": b"3"}, ANN, "three", expected_head=first)
    assert err.value.current == second
    with pytest.raises(InvalidInput, match="reserved"):
        files.commit({".git/hooks/x": b"#!/bin/sh"}, ANN, "evil")
    with pytest.raises(TooLarge):
        files.commit({"big.md": b"x" * 101}, ANN, "big")
    with pytest.raises(InvalidInput, match="U\\+0000"):
        files.commit({"b.md": b"x"}, ANN, "nul\x00")
    with pytest.raises(InvalidInput, match="canonical"):
        files.commit({"B.md": b"x"}, ANN, "upper")
    assert files.head() == second


def test_log_last_change_blame_and_diff(files):
    r1 = files.commit({"p.md": b"one\ntwo\n", "q.md": b"q"}, ANN, "create")
    r2 = files.commit({"q.md": b"q2"}, ANN, "touch q")
    r3 = files.commit({"p.md": b"one\nTWO\nthree\n"}, ANN, "edit p")
    assert [r.id for r in files.log("p.md")] == [r3, r1]
    assert [r.id for r in files.log("p.md", limit=1)] == [r3]
    assert files.log("missing.md") == []
    assert files.last_change("q.md").id == r2
    assert files.last_change("q.md").message == "touch q"
    assert files.last_change("missing.md") is None
    everything = files.log()
    assert [r.id for r in everything] == [r3, r2, r1]
    assert everything[1].files == ("q.md",)
    blame = files.blame("p.md")
    assert [(b.revision.id, b.text) for b in blame] == [(r1, "one"), (r3, "TWO"), (r3, "three")]
    assert [b.text for b in files.blame("p.md", r1)] == ["one", "two"]
    patch = files.diff(r1, r3)
    assert "diff --git a/p.md b/p.md" in patch and "-two" in patch and "+TWO" in patch
    assert "q.md" in patch
    assert "q.md" not in files.diff(r1, r3, path="p.md")
    # git itself agrees with the history the index gives.
    assert git(files, "log", "--format=%H", "--", "p.md").split() == [r3, r1]


def test_index_follows_commits_made_by_anyone_and_is_persisted(files, tmp_path):
    files.commit({"a.md": b"[[B]]", "b.md": b"b"}, ANN, "one")
    assert files.index().backlinks("b.md") == {"a.md"}
    # Someone else (a push) moves the branch with dulwich directly.
    repo = Repo(str(files.repo.path))
    head = repo.refs[b"refs/heads/main"]
    tree = repo[repo[head].tree]
    blob = Blob.from_string(b"now [[A]] instead")
    repo.object_store.add_object(blob)
    tree[b"c.md"] = (0o100644, blob.id)
    repo.object_store.add_object(tree)
    c = Commit()
    c.tree, c.parents = tree.id, [head]
    c.author = c.committer = b"Pusher <p@x>"
    c.author_time = c.commit_time = 1_700_000_000
    c.author_timezone = c.commit_timezone = 0
    c.message = b"pushed\n"
    repo.object_store.add_object(c)
    repo.refs[b"refs/heads/main"] = c.id
    snap = files.index()
    assert snap.head == c.id.decode()
    assert snap.backlinks("a.md") == {"c.md"}
    assert [r.id for r in files.log("c.md")] == [c.id.decode()]
    headindex.for_repo(files.repo, files.pages).save()
    saved = Snapshot.from_json((files.repo.path / "wikibot" / "index.json").read_bytes())
    assert saved.head == c.id.decode() and saved.backlinks("a.md") == {"c.md"}


def test_a_corrupt_or_missing_index_is_rebuilt(tmp_path):
    path = wiki_path(tmp_path, "ann", "notes")
    GitRepo.init(path)
    store = WikiStore.open(path)
    store.write("A", "[[B]]", ANN)
    store.write("B", "b", ANN)
    assert store.links("B").incoming == ["A"]
    headindex.for_repo(store.repo, store.files.pages).save()
    index_file = path / "wikibot" / "index.json"
    index_file.write_bytes(b"{not json")
    headindex._OPEN._items.clear()  # a fresh process
    fresh = WikiStore.open(path)
    assert fresh.links("B").incoming == ["A"]
    assert [r.message for r in fresh.history("A")] == ["[web] create: A"]
    index_file.unlink()
    headindex._OPEN._items.clear()
    assert WikiStore.open(path).links("B").incoming == ["A"]


def test_history_survives_a_rewritten_branch(tmp_path):
    path = wiki_path(tmp_path, "ann", "notes")
    GitRepo.init(path)
    store = WikiStore.open(path)
    first = store.write("A", "one", ANN)
    store.write("A", "two", ANN, revision=first.revision)
    assert len(store.history("A")) == 2
    # Force the branch back to the first commit (as a force push would).
    Repo(str(path)).refs[b"refs/heads/main"] = first.revision.encode()
    assert [r.id for r in store.history("A")] == [first.revision]


def test_the_index_is_never_shared_between_repositories(tmp_path):
    a = WikiStore(GitRepo.init(wiki_path(tmp_path, "ann", "a")))
    b = WikiStore(GitRepo.init(wiki_path(tmp_path, "ann", "b")))
    a.write("Page", "[[Other]]", ANN)
    b.write("Other", "x", ANN)
    with pytest.raises(NotFound):
        b.history("Page")
    assert b.links("Other").incoming == []
    headindex.for_repo(b.repo, b.files.pages).save()
    saved = Snapshot.from_json((b.repo.path / "wikibot" / "index.json").read_bytes())
    assert saved.links == {"other.md": []} and list(saved.touched) == ["other.md"]


def test_a_fresh_process_catches_up_through_recorded_deltas_without_diffing(tmp_path, monkeypatch):
    path = wiki_path(tmp_path, "ann", "notes")
    GitRepo.init(path)
    store = WikiStore.open(path)
    store.write("A", "[[B]]", ANN)
    headindex.for_repo(store.repo, store.files.pages).save()
    for i in range(5):
        store.write(f"N{i}", f"[[A]] {i}", ANN)
    deltas = path / "wikibot" / DELTA_DIR
    assert len(list(deltas.glob("*.json"))) >= 5
    headindex._OPEN._items.clear()  # a fresh process: saved index + deltas, no tree diffs

    def no_diffs(*args, **kwargs):
        raise AssertionError("a recorded delta should have been used")

    monkeypatch.setattr(headindex, "changed_paths", no_diffs)
    fresh = WikiStore.open(path)
    assert sorted(fresh.links("A").incoming) == [f"N{i}" for i in range(5)]
    assert [r.message for r in fresh.history("N4")] == ["[web] create: N4"]
    monkeypatch.undo()
    headindex.for_repo(fresh.repo, fresh.files.pages).save()
    assert not list(deltas.glob("*.json"))  # the saved index covers them


def test_log_and_last_change_at_an_older_revision(files):
    r1 = files.commit({"p.md": b"1"}, ANN, "one")
    r2 = files.commit({"p.md": b"2"}, ANN, "two")
    r3 = files.commit({"q.md": b"q"}, ANN, "three")
    assert files.last_change("p.md").id == r2
    assert files.last_change("p.md", revision=r1).id == r1
    assert [r.id for r in files.log("p.md", revision=r1)] == [r1]
    assert [r.id for r in files.log(revision=r2)] == [r2, r1]
    shown = files.revision(r3[:7])
    assert shown.id == r3 and shown.files == ("q.md",) and shown.message == "three"
