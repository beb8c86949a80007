"""Per-head indexes of one repository: which commits changed each path, and the link graph.

Why: dulwich's path-filtered log walks the whole history (~1 s for a page last changed 500
commits back; as long for a page that never existed), and backlinks need every page parsed
(~290 ms for 1,000 pages in a fresh process). Both answers are facts about one head, so they are
computed once per head and kept:

- `touched[path]`: the commits that added, changed or removed `path`, oldest first (a merge
  counts when it differs from every parent, as `git log -- path` shows it). History of a path
  reads only the commits it returns; a missing path answers at once.
- `links[page file]`: the page files each page at head links to (WikiLinks), so backlinks and
  orphans need no parsing.

The index follows whoever moves the branch (MCP, the web UI, a git push): when head moved, it is
updated from the indexed head by walking only the new commits and diffing their trees. If the old
head is not an ancestor (a force push) or the file is missing or corrupt, it is rebuilt.

It is persisted as `{repo.git}/wikibot/index.json` (written atomically, 0600), never shared
across repositories; a warm process keeps it in memory per repository. Any saved version is
valid for the head it names, so concurrent writers of the file need no coordination.
"""

from __future__ import annotations

import json
import os
import threading
from typing import TYPE_CHECKING

from wikibot import tracing
from wikibot.files import write_private
from wikibot.store.cache import LRU
from wikibot.store.deltas import Delta, prune_deltas, read_delta, write_delta
from wikibot.store.repo import Damaged

if TYPE_CHECKING:
    from dulwich.objects import Commit

    from wikibot.store.index import PageIndex
    from wikibot.store.repo import GitRepo

VERSION = 2
FILE = "index.json"
# Longest run of commits followed through recorded deltas before falling back to a full walk.
MAX_CHAIN = 512
TREE_MODE = 0o040000
# Save the index once this many commits are not in the saved file. A fresh process replays at most
# that many recorded deltas (small file reads) after loading it; a save serialises the whole index
# (~9 ms for 1,000 pages and 2,000 commits), so saving on every write would cost more than that.
SAVE_AFTER_COMMITS = 16
# A snapshot asked this many backlink questions inverts its link map (then ~free per question).
_INVERT_AFTER = 3


class Snapshot:
    """The index at one head. Treat as read-only outside this module.

    Attributes:
        head: The commit it describes.
        commits: Commit table, oldest first.
        touched: Path -> rows of `commits` that changed it, oldest first.
        links: Page file -> the page files it links to.

    Loaded from disk, the history part and the link part are parsed only when first used, so
    answering backlinks does not pay for parsing history and vice versa.
    """

    def __init__(
        self,
        head: str,
        commits: list[str] | None = None,
        touched: dict[str, list[int]] | None = None,
        links: dict[str, list[str]] | None = None,
        *,
        raw_history: bytes | None = None,
        raw_links: bytes | None = None,
    ):
        self.head = head
        self._commits = commits if commits is not None or raw_history else []
        self._touched = touched if touched is not None or raw_history else {}
        self._links = links if links is not None or raw_links else {}
        self._raw_history = raw_history
        self._raw_links = raw_links
        self._backlinks: dict[str, set[str]] | None = None
        self._asked = 0  # backlink questions answered by scanning
        self._rows: dict[str, int] | None = None

    @property
    def commits(self) -> list[str]:
        """Commit table, oldest first."""
        self._parse_history()
        return self._commits  # type: ignore[return-value]

    @property
    def touched(self) -> dict[str, list[int]]:
        """Path -> rows of `commits` that changed it, oldest first."""
        self._parse_history()
        return self._touched  # type: ignore[return-value]

    @property
    def links(self) -> dict[str, list[str]]:
        """Page file -> the page files it links to (every page at head is a key)."""
        if self._links is None:
            self._links = json.loads(self._raw_links or b"{}")
            self._raw_links = None
        return self._links

    def _parse_history(self) -> None:
        if self._commits is None or self._touched is None:
            data = json.loads(self._raw_history or b"{}")
            self._commits, self._touched = data["commits"], data["touched"]
            self._raw_history = None

    def commits_for(self, path: str, limit: int | None = None) -> list[str]:
        """Commit ids that changed `path`, newest first."""
        rows = self.touched.get(path, ())
        picked = rows[::-1] if limit is None else rows[: -limit - 1 : -1]
        return [self.commits[i] for i in picked]

    def row_of(self, commit: str) -> int | None:
        """The position of a commit in the table (older commits have smaller rows), or None."""
        if self._rows is None:
            self._rows = {c: i for i, c in enumerate(self.commits)}
        return self._rows.get(commit)

    def last_change(self, path: str) -> str | None:
        """The newest commit that changed `path`, or None."""
        rows = self.touched.get(path)
        return self.commits[rows[-1]] if rows else None

    def backlinks(self, target: str) -> set[str]:
        """Page files at head that link to the page file `target` (itself excluded)."""
        if self._backlinks is None:
            self._asked += 1
            if self._asked < _INVERT_AFTER:
                # Scan the forward map: cheaper than inverting it for a question or two.
                return {s for s, targets in self.links.items() if target in targets and s != target}
            self._invert()
        return self._backlinks.get(target, set())  # type: ignore[union-attr]

    def linked(self) -> set[str]:
        """Every page file some other page links to (for orphans)."""
        if self._backlinks is None:
            self._invert()
        return {t for t, sources in self._backlinks.items() if sources}  # type: ignore[union-attr]

    def _invert(self) -> None:
        inverse: dict[str, set[str]] = {}
        for source, targets in self.links.items():
            for t in targets:
                if t != source:
                    inverse.setdefault(t, set()).add(source)
        self._backlinks = inverse

    def inherit_backlinks(self, old: Snapshot, delta_links: dict[str, list[str] | None]) -> None:
        """Carry `old`'s inverted links over to this snapshot, one commit later.

        Sets are replaced, never changed in place: readers may still hold the old snapshot.
        """
        if old._backlinks is None:
            return
        inverse = dict(old._backlinks)
        for source, targets in delta_links.items():
            before = set(old.links.get(source, ()))
            after = set(targets or ())
            for t in before - after - {source}:
                inverse[t] = inverse.get(t, set()) - {source}
            for t in after - before - {source}:
                inverse[t] = inverse.get(t, set()) | {source}
        self._backlinks = inverse

    def to_json(self) -> bytes:
        """The persisted form: three lines of JSON (header, links, history)."""
        header = {"version": VERSION, "head": self.head}
        history = {"commits": self.commits, "touched": self.touched}
        return b"\n".join(
            json.dumps(part, separators=(",", ":")).encode()
            for part in (header, self.links, history)
        )

    @classmethod
    def from_json(cls, raw: bytes) -> Snapshot:
        """Read the persisted form; `ValueError` if it is not a current, whole index."""
        parts = raw.split(b"\n")
        if len(parts) != 3 or not parts[1].endswith(b"}") or not parts[2].endswith(b"}"):
            raise ValueError("truncated index")
        header = json.loads(parts[0])
        if header.get("version") != VERSION or not isinstance(header.get("head"), str):
            raise ValueError("unknown index version")
        return cls(header["head"], raw_links=parts[1], raw_history=parts[2])


class HeadIndex:
    """The persisted per-head index of one repository.

    Args:
        repo: The repository (the index lives inside it).
        pages: Parsed-page cache used to read the links of changed pages.
    """

    def __init__(self, repo: GitRepo, pages: PageIndex):
        self.repo = repo
        self.pages = pages
        self._snapshot: Snapshot | None = None
        self._saved_head: str | None = None
        self._unsaved = 0
        self._lock = threading.Lock()

    def at_head(self) -> Snapshot | None:
        """The index for the current head (None for an empty repository)."""
        head = self.repo.head()
        return None if head is None else self.at(head)

    def at(self, head: bytes) -> Snapshot:
        """The index for commit `head`, updated (and saved now and then) as needed."""
        target = head.decode()
        with self._lock:
            snap = self._snapshot
            if snap is not None and snap.head == target:
                return snap
            if snap is None:
                snap = self._load()
                self._saved_head = snap.head if snap else None
            if snap is None or snap.head != target:
                before = len(snap.commits) if snap else 0
                try:
                    fast = self._catch_up(snap, head) if snap is not None else None
                    snap = fast if fast is not None else self._advance(snap, head)
                except Damaged:  # the indexed head was pruned after a force push
                    snap, before = self._advance(None, head), 0
                self._unsaved += len(snap.commits) - before
            self._snapshot = snap
            self._maybe_save(snap)
            return snap

    def after_commit(self, parent: bytes | None, new: bytes, delta: Delta) -> None:
        """Advance by a commit this process just made (cheap when the index is at `parent`)."""
        with self._lock:
            snap = self._snapshot
            if snap is not None and parent is not None and snap.head == parent.decode():
                self._snapshot = _applied(snap, new.decode(), delta)
                self._unsaved += 1
                self._maybe_save(self._snapshot)
                return
            if snap is None and not os.path.exists(self._file()) and parent is not None:
                return  # no index yet: the first reader builds it, not this write
        self.at(new)  # first use in this process, or others committed in between

    # -- building ----------------------------------------------------------------------------

    def _catch_up(self, snap: Snapshot, head: bytes) -> Snapshot | None:
        """Follow a single-parent chain from `snap.head` to `head` through recorded deltas.

        Commits with no recorded delta (a push) are diffed. None when `head` is not a short
        single-parent descendant of `snap.head`: the caller then walks the history.
        """
        chain = []
        sha = head
        for _ in range(MAX_CHAIN):
            if sha.decode() == snap.head:
                break
            commit = self.repo.commit(sha)
            if len(commit.parents) != 1:
                return None
            chain.append(commit)
            sha = commit.parents[0]
        else:
            return None
        for commit in reversed(chain):
            delta = read_delta(self.repo, commit.id, commit.parents[0])
            snap = _applied(snap, commit.id.decode(), delta or self._delta_of(commit))
        return snap

    def _delta_of(self, commit: Commit) -> Delta:
        from wikibot.pages import names

        tree = commit.tree
        paths = changed_paths(self.repo, self.repo.tree_of(commit.parents[0]), tree)
        links: dict[str, list[str] | None] = {}
        for path in paths:
            if names.is_page_file(path):
                blob = self.repo.blob_id(tree, path)
                links[path] = (
                    None if blob is None else sorted(self.pages.info(self.repo, blob).targets)
                )
        return Delta(sorted(paths), links)

    def _advance(self, old: Snapshot | None, head: bytes) -> Snapshot:
        known = set(old.commits) if old else set()
        new, reached_old = self._new_commits(head, known, old.head if old else None)
        if old is not None and not reached_old:
            return self._advance(None, head)  # history was rewritten: rebuild
        snap = Snapshot(
            head.decode(),
            list(old.commits) if old else [],
            {p: list(rows) for p, rows in old.touched.items()} if old else {},
            dict(old.links) if old else {},
        )
        for commit in new:
            row = len(snap.commits)
            snap.commits.append(commit.id.decode())
            for path in self._changed_by(commit):
                snap.touched.setdefault(path, []).append(row)
        self._update_links(snap, old, head)
        return snap

    def _new_commits(
        self, head: bytes, known: set[str], old_head: str | None
    ) -> tuple[list[Commit], bool]:
        """Commits reachable from `head` that are not `known`, parents before children.

        Also tells whether `old_head` was reached (so it is an ancestor of `head`). Known
        commits are neither returned nor walked past: all their ancestors are known too.
        """
        order: list[Commit] = []
        seen: set[bytes] = set()
        reached = False
        stack: list[tuple[bytes, bool]] = [(head, False)]
        while stack:
            sha, expanded = stack.pop()
            if expanded:
                order.append(self.repo.commit(sha))
                continue
            if sha in seen:
                continue
            seen.add(sha)
            if sha.decode() in known:
                reached = reached or sha.decode() == old_head
                continue
            stack.append((sha, True))
            stack.extend((p, False) for p in reversed(self.repo.commit(sha).parents))
        return order, reached

    def _changed_by(self, commit: object) -> set[str]:
        parents = commit.parents  # type: ignore[attr-defined]
        tree = commit.tree  # type: ignore[attr-defined]
        if not parents:
            return changed_paths(self.repo, None, tree)
        found: set[str] | None = None
        for parent in parents:
            changed = changed_paths(self.repo, self.repo.tree_of(parent), tree)
            found = changed if found is None else found & changed
        return found or set()

    def _update_links(self, snap: Snapshot, old: Snapshot | None, head: bytes) -> None:
        from wikibot.pages import names

        new_tree = self.repo.tree_of(head)
        if old is None:
            for path, info in self.pages.pages(self.repo, new_tree):
                snap.links[path] = sorted(info.targets)
            return
        old_tree = self.repo.tree_of(old.head.encode())
        for path in changed_paths(self.repo, old_tree, new_tree):
            if not names.is_page_file(path):
                continue
            blob = self.repo.blob_id(new_tree, path)
            if blob is None:
                snap.links.pop(path, None)
            else:
                snap.links[path] = sorted(self.pages.info(self.repo, blob).targets)

    # -- persistence -------------------------------------------------------------------------

    def _file(self) -> str:
        return str(self.repo.path / "wikibot" / FILE)

    @tracing.traced("index.load")
    def _load(self) -> Snapshot | None:
        try:
            with open(self._file(), "rb") as f:
                snap = Snapshot.from_json(f.read())
            if snap.head.encode() not in self.repo.objects:
                return None
            return snap
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or corrupt: rebuilt from history

    def _maybe_save(self, snap: Snapshot) -> None:
        if snap.head == self._saved_head:
            return
        if self._unsaved >= SAVE_AFTER_COMMITS:
            self.save(snap)

    def save(self, snap: Snapshot | None = None) -> None:
        """Write the index atomically (no fsync: a torn file is detected and rebuilt)."""
        snap = snap or self._snapshot
        if snap is None:
            return
        write_private(self.repo.state_path(FILE), snap.to_json(), durable=False)
        self._saved_head, self._unsaved = snap.head, 0
        prune_deltas(self.repo, snap)


def changed_paths(
    repo: GitRepo, old: bytes | None, new: bytes | None, prefix: str = ""
) -> set[str]:
    """File paths that differ between two trees (added, changed or removed), via parsed trees."""
    if old == new:
        return set()
    before = _entries(repo, old)
    after = _entries(repo, new)
    changed: set[str] = set()
    names = [n for n, entry in before.items() if after.get(n) != entry]
    names += [n for n in after if n not in before]
    for name in names:
        a, b = before.get(name), after.get(name)
        path = prefix + name.decode("utf-8", "replace")
        a_dir = a is not None and a[0] & 0o170000 == TREE_MODE
        b_dir = b is not None and b[0] & 0o170000 == TREE_MODE
        if a_dir or b_dir:
            changed |= changed_paths(
                repo, a[1] if a_dir else None, b[1] if b_dir else None, path + "/"
            )
        if (a is not None and not a_dir) or (b is not None and not b_dir):
            changed.add(path)
    return changed


def _entries(repo: GitRepo, tree: bytes | None) -> dict[bytes, tuple[int, bytes]]:
    return {} if tree is None else repo.tree_entries(tree)


def _applied(snap: Snapshot, commit: str, delta: Delta) -> Snapshot:
    """A new snapshot one commit later (the old one is left as it was: readers may hold it)."""
    commits = [*snap.commits, commit]
    row = len(commits) - 1
    touched = dict(snap.touched)
    for path in delta.paths:
        touched[path] = [*touched.get(path, ()), row]
    links = dict(snap.links)
    for path, targets in delta.links.items():
        if targets is None:
            links.pop(path, None)
        else:
            links[path] = targets
    new = Snapshot(commit, commits, touched, links)
    new.inherit_backlinks(snap, delta.links)
    return new


def record_commit(
    repo: GitRepo, parent: bytes | None, new: bytes, changed: dict[str, bytes | None]
) -> None:
    """Called by `GitRepo` once its commit moved the branch: save the delta, advance the index."""
    from wikibot.pages import markdown, names
    from wikibot.store.index import PageIndex, targets_of

    links: dict[str, list[str] | None] = {}
    for path, data in changed.items():
        if names.is_page_file(path):
            text = None if data is None else data.decode("utf-8", "replace")
            links[path] = None if text is None else sorted(targets_of(markdown.extract_links(text)))
    delta = Delta(sorted(changed), links)
    write_delta(repo, new, parent, delta)
    for_repo(repo, PageIndex.shared()).after_commit(parent, new, delta)


# One index per repository in this process (bounded: a warm Lambda serves many tenants; an index
# of a 1,000-page, 2,000-commit wiki holds about 1-2 MB).
_OPEN: LRU[HeadIndex] = LRU(32)


def for_repo(repo: GitRepo, pages: PageIndex) -> HeadIndex:
    """The process's index of this repository (keyed by its identity, never shared)."""
    return _OPEN.get_or_make(repo.identity, lambda: HeadIndex(repo, pages))
