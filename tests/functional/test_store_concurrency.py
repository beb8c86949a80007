"""Concurrent writers in separate processes, and writers killed mid-commit.

Checked with the real git CLI: every acknowledged write is in history and `git fsck` is clean.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import time

import pytest

from wikibot.errors import Conflict
from wikibot.store import Author, GitRepo, WikiStore, wiki_path

# Not plain fork: earlier tests leave threads running, and forking a threaded process can
# deadlock. A fork server is single-threaded and has the store imported, so children start fast.
CTX = mp.get_context("forkserver")
CTX.set_forkserver_preload(["wikibot.store", "pytest"])


def git(path, *args):
    return subprocess.run(
        ["git", "--git-dir", str(path), *args], check=True, capture_output=True, text=True
    ).stdout


def fsck_clean(path):
    result = subprocess.run(
        ["git", "--git-dir", str(path), "fsck", "--strict", "--no-dangling"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "error" not in result.stderr.lower()


def run_at_once(target, count, *args, timeout=180):
    """Start `count` processes that meet at a barrier before acting; return their results."""
    barrier, results = CTX.Barrier(count), CTX.Queue()
    procs = [CTX.Process(target=target, args=(i, *args, barrier, results)) for i in range(count)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout)
    assert all(p.exitcode == 0 for p in procs)
    return [results.get(timeout=5) for _ in range(count)]


@pytest.fixture
def repo_path(tmp_path):
    path = wiki_path(tmp_path, "ann", "notes")
    GitRepo.init(path)
    WikiStore.open(path).write("Home", "home", Author("seed", "s@x", "system"))
    return path


def _write_distinct(index, path, barrier, results):
    store = WikiStore.open(path)
    barrier.wait()
    result = store.write(f"Pages/P{index}", f"content {index}", Author(f"w{index}", "w@x", "mcp"))
    results.put((index, result.revision))


def test_fifty_processes_writing_distinct_pages_lose_nothing(repo_path):
    acknowledged = dict(run_at_once(_write_distinct, 50, repo_path))
    assert sorted(acknowledged) == list(range(50))
    history = set(git(repo_path, "rev-list", "main").split())
    assert set(acknowledged.values()) <= history
    assert len(history) == 51  # seed + 50 writes, nothing merged away or lost
    store = WikiStore.open(repo_path)
    for i in range(50):
        assert store.read(f"Pages/P{i}").text == f"content {i}"
    fsck_clean(repo_path)


def _update_same(index, path, revision, barrier, results):
    store = WikiStore.open(path)
    barrier.wait()
    try:
        store.write("Home", f"by {index}", Author(f"w{index}", "w@x", "mcp"), revision=revision)
        results.put((index, "landed"))
    except Conflict as exc:
        results.put((index, f"conflict:{exc.current}"))


def test_twenty_writers_with_the_same_revision_exactly_one_lands(repo_path):
    revision = WikiStore.open(repo_path).read("Home").revision
    outcomes = dict(run_at_once(_update_same, 20, repo_path, revision))
    landed = [i for i, o in outcomes.items() if o == "landed"]
    conflicts = [o for o in outcomes.values() if o.startswith("conflict:")]
    assert len(landed) == 1 and len(conflicts) == 19
    head = git(repo_path, "rev-parse", "main").strip()
    # Each conflict named a revision that exists; the last ones name the winner's commit.
    assert all(c.split(":")[1] in git(repo_path, "rev-list", "main") for c in conflicts)
    assert git(repo_path, "show", "main:home.md") == f"by {landed[0]}"
    assert git(repo_path, "rev-list", "--count", "main").strip() == "2"
    assert head in {c.split(":")[1] for c in conflicts}
    fsck_clean(repo_path)


def _read_modify_write(index, path, rounds, barrier, results):
    store = WikiStore.open(path)
    barrier.wait()
    for r in range(rounds):
        while True:
            page = store.read("Home")
            try:
                store.write(
                    "Home",
                    page.text + f"\n{index}.{r}",
                    Author("w", "w@x", "mcp"),
                    revision=page.revision,
                )
                break
            except Conflict:
                continue
    results.put(index)


def test_writers_that_reread_after_conflicts_all_land(repo_path):
    assert sorted(run_at_once(_read_modify_write, 10, repo_path, 3)) == list(range(10))
    lines = git(repo_path, "show", "main:home.md").splitlines()
    assert sorted(lines[1:]) == sorted(f"{i}.{r}" for i in range(10) for r in range(3))
    assert git(repo_path, "rev-list", "--count", "main").strip() == "31"
    fsck_clean(repo_path)


def _write_forever(path, round_, ready):
    store = WikiStore.open(path)
    author = Author("loop", "l@x", "mcp")
    ready.set()
    i = 0
    while True:
        store.write(f"Loop/{round_}-{i}", "x" * 2000 + str(i), author)
        i += 1


def _wait_for_commits(path, more_than, timeout=20):
    deadline = time.monotonic() + timeout
    while int(git(path, "rev-list", "--count", "main")) <= more_than:
        assert time.monotonic() < deadline, "the writer never committed"
        time.sleep(0.01)


def test_writer_killed_mid_commit_leaves_a_recoverable_clean_repo(repo_path):
    for n, delay in enumerate((0.0, 0.013, 0.021, 0.034, 0.055)):
        before = int(git(repo_path, "rev-list", "--count", "main"))
        ready = CTX.Event()
        proc = CTX.Process(target=_write_forever, args=(repo_path, n, ready))
        proc.start()
        ready.wait(10)
        _wait_for_commits(repo_path, before)  # it is writing (a busy machine starts slowly)
        time.sleep(delay)
        assert proc.is_alive(), "the writer died before it was killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        store = WikiStore(GitRepo(repo_path, grace_seconds=0.2))
        time.sleep(0.3)  # whatever lock the victim held is now stale
        result = store.write(f"After/{n}", "still writable", Author("next", "n@x", "mcp"))
        assert git(repo_path, "rev-parse", "main").strip() == result.revision
        fsck_clean(repo_path)


def test_the_next_write_after_a_sigkill_does_not_wait_for_the_stale_timeout(repo_path):
    """With the default stale timeout, a dead writer's fresh locks are cleared at once.

    Not a timing assert (the machine may be busy): the write must land instead of answering
    Busy, and the locks must be gone. The elapsed time is printed for the record.
    """
    ref_lock = repo_path / "refs" / "heads" / "main.lock"
    found_lock = 0
    for n in range(5):
        before = int(git(repo_path, "rev-list", "--count", "main"))
        ready = CTX.Event()
        proc = CTX.Process(target=_write_forever, args=(repo_path, 100 + n, ready))
        proc.start()
        ready.wait(10)
        _wait_for_commits(repo_path, before)
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        found_lock += ref_lock.exists()
        # Default settings: grace 0.25 s, and Busy after ~200 short retries.
        store = WikiStore(GitRepo(repo_path, max_attempts=60))
        started = time.monotonic()
        result = store.write(f"Next/{n}", "lands at once", Author("next", "n@x", "mcp"))
        elapsed = time.monotonic() - started
        print(f"write after SIGKILL {n}: {elapsed * 1000:.0f} ms (ref lock left: {found_lock})")
        assert git(repo_path, "rev-parse", "main").strip() == result.revision
        assert not ref_lock.exists()
        assert not list((repo_path / "objects").glob("*/*.lock"))
        fsck_clean(repo_path)
    # Leave a dead writer's ref lock for certain, as a SIGKILL between lock and rename does.
    ref_lock.write_text("0" * 40)
    started = time.monotonic()
    WikiStore(GitRepo(repo_path, max_attempts=60)).write("Last", "x", Author("n", "n@x", "mcp"))
    print(f"write after a fresh dead lock: {(time.monotonic() - started) * 1000:.0f} ms")
    assert not ref_lock.exists()
    fsck_clean(repo_path)


def test_stale_locks_left_by_a_dead_writer_are_recovered(repo_path):
    ref_lock = repo_path / "refs" / "heads" / "main.lock"
    ref_lock.write_text("garbage from a killed writer")
    old = time.time() - 60
    os.utime(ref_lock, (old, old))
    store = WikiStore(GitRepo(repo_path))
    store.write("Fresh", "lands despite the leftover lock", Author("a", "a@x", "mcp"))
    assert not ref_lock.exists()
    assert git(repo_path, "show", "main:fresh.md") == "lands despite the leftover lock"
    fsck_clean(repo_path)


def test_a_live_lock_is_not_stolen(repo_path):
    ref_lock = repo_path / "refs" / "heads" / "main.lock"
    ref_lock.write_text("held by a live writer")
    store = WikiStore(GitRepo(repo_path, grace_seconds=30, max_attempts=5))
    with pytest.raises(Exception, match="busy"):
        store.write("Blocked", "x", Author("a", "a@x", "mcp"))
    assert ref_lock.exists()
    assert "blocked.md" not in git(repo_path, "ls-tree", "--name-only", "main")
