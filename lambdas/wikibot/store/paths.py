"""The path-level layer of one wiki repository: files, history, and commits that obey the rules.

Everything above it (the page API in `wiki.py`, the Otterwiki adapter, git push indexing) works
with repository paths here; this layer adds nothing about pages except enforcing
`wikibot.store.rules` on every write. It is confined to one repository: paths are checked by
`rules.check_path`, reads go through that repository's objects only, and its index
(`headindex.HeadIndex`) is that repository's.

Revisions are commit ids (full, or a 7+ hex prefix); `None` means the current head. Paths use
`/` and are relative to the wiki root, e.g. `projects/alpha.md`, `projects/alpha/diagram.png`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wikibot.errors import Conflict, InvalidInput, NotFound
from wikibot.settings import Limits
from wikibot.store import rules
from wikibot.store.headindex import HeadIndex, Snapshot, changed_paths, for_repo
from wikibot.store.index import PageIndex
from wikibot.store.repo import Author, Change, GitRepo
from wikibot.store.revision import Revision, revision_of

if TYPE_CHECKING:
    from dulwich.objects import Commit

FILE_BITS, TREE_BITS = 0o100000, 0o040000
ANY_HEAD = "any"  # `expected_head` value that skips the head check
BLAME_MAX_VERSIONS = 500


@dataclass(frozen=True)
class BlameLine:
    """One line of a file and the revision that last changed it."""

    revision: Revision
    line_no: int
    text: str


class RepoFiles:
    """Files of one wiki repository at any revision, and commits that obey the write rules.

    Args:
        repo: The repository.
        limits: Size limits applied to writes.
        pages: Parsed-page cache (defaults to the process-wide one).
    """

    def __init__(self, repo: GitRepo, limits: Limits | None = None, pages: PageIndex | None = None):
        self.repo = repo
        self.limits = limits or Limits()
        self.pages = pages or PageIndex.shared()

    # -- revisions ---------------------------------------------------------------------------

    def head(self) -> str | None:
        """The current commit id, or None for an empty repository."""
        head = self.repo.head()
        return head.decode() if head else None

    def resolve(self, revision: str | None = None) -> str:
        """A full commit id for a revision (None: head). `NotFound`/`InvalidInput` otherwise."""
        return self.repo.resolve(revision).decode()

    def index(self) -> Snapshot | None:
        """The per-head index (touched paths, links) at the current head; None when empty."""
        return self._head_index().at_head()

    def index_at(self, commit: bytes) -> Snapshot:
        """The per-head index at a given commit (as a commit plan sees its head)."""
        return self._head_index().at(commit)

    def _head_index(self) -> HeadIndex:
        return for_repo(self.repo, self.pages)

    def _tree(self, revision: str | None) -> bytes | None:
        if revision is None and self.repo.head() is None:
            return None
        return self.repo.tree_of(self.repo.resolve(revision))

    # -- reading -----------------------------------------------------------------------------

    def read(self, path: str, revision: str | None = None) -> bytes:
        """The bytes of a file. Raises `NotFound` if there is no file at `path`."""
        rules.check_path(path)
        tree = self._tree(revision)
        data = self.repo.read(tree, path) if tree else None
        if data is None:
            raise NotFound(f"No file {path!r}" + (f" at revision {revision}." if revision else "."))
        return data

    def exists(self, path: str, revision: str | None = None) -> bool:
        """Whether a file (not a folder) exists at `path` (False for an unsafe path)."""
        return self._kind(path, revision) == FILE_BITS

    def isdir(self, path: str, revision: str | None = None) -> bool:
        """Whether a folder exists at `path` ("" is the root)."""
        if path.strip("/") == "":
            return True
        return self._kind(path, revision) == TREE_BITS

    def _kind(self, path: str, revision: str | None) -> int | None:
        try:
            rules.check_path(path.strip("/"))
        except InvalidInput:
            return None  # no file can exist at an unsafe path
        tree = self._tree(revision)
        found = self.repo.entry(tree, path.strip("/")) if tree else None
        return None if found is None else found[0] & 0o170000

    def size(self, path: str, revision: str | None = None) -> int:
        """Size in bytes of a file. Raises `NotFound`."""
        tree = self._tree(revision)
        sha = self.repo.blob_id(tree, rules.check_path(path)) if tree else None
        if sha is None:
            raise NotFound(f"No file {path!r}.")
        return self.repo.object(sha).raw_length()

    def list(
        self, folder: str = "", revision: str | None = None, depth: int | None = None
    ) -> tuple[list[str], list[str]]:
        """(files, folders) under `folder`, recursive, relative to it, sorted.

        Args:
            folder: A folder path; "" is the root.
            revision: Commit to list at (None: head).
            depth: How many folder levels to descend (None: all; 0: only direct children).
        """
        tree = self._tree(revision)
        folder = folder.strip("/")
        if tree and folder:
            entry = self.repo.entry(tree, rules.check_path(folder))
            tree = entry[1] if entry and entry[0] & 0o170000 == TREE_BITS else None
        files: list[str] = []
        dirs: list[str] = []
        if tree:
            self._walk(tree, "", depth, files, dirs)
        return sorted(files), sorted(dirs)

    def _walk(
        self, tree: bytes, prefix: str, depth: int | None, files: list[str], dirs: list[str]
    ) -> None:
        for item in self.repo.parsed(tree).iteritems():
            path = prefix + item.path.decode("utf-8", "replace")
            if item.mode & 0o170000 == TREE_BITS:
                dirs.append(path)
                if depth is None or depth > 0:
                    self._walk(
                        item.sha, path + "/", None if depth is None else depth - 1, files, dirs
                    )
            elif item.mode & 0o170000 == FILE_BITS:
                files.append(path)

    # -- history -----------------------------------------------------------------------------

    def last_change(self, path: str, revision: str | None = None) -> Revision | None:
        """The newest commit (at or before `revision`) that added, changed or removed `path`."""
        found = self._commits_for(path, 1, revision)
        return revision_of(self.repo.commit(found[0].encode())) if found else None

    def log(
        self, path: str | None = None, limit: int | None = None, revision: str | None = None
    ) -> list[Revision]:
        """Commits newest first: all of them, or those that changed `path` (from the index).

        Args:
            path: Only commits that changed this file (None: every commit, with `files`).
            limit: At most this many.
            revision: Start from this commit instead of head.

        A path's log reads only the commits it returns; the whole-repository log carries
        `files` (the paths each commit touched).
        """
        if path is not None:
            ids = self._commits_for(path, limit, revision)
            return [revision_of(self.repo.commit(c.encode())) for c in ids]
        start = self.repo.resolve(revision) if revision else self.repo.head()
        if start is None:
            return []
        found = []
        for commit in self.repo.walk(start, limit):
            found.append(self._with_files(commit))
        return found

    def revision(self, revision: str | None = None) -> Revision:
        """One commit with the paths it touched (`files`), e.g. to show it with `diff`."""
        return self._with_files(self.repo.commit(self.repo.resolve(revision)))

    def _with_files(self, commit: Commit) -> Revision:
        parent = self.repo.tree_of(commit.parents[0]) if commit.parents else None
        files = tuple(sorted(changed_paths(self.repo, parent, commit.tree)))
        return revision_of(commit, files=files)

    def _commits_for(self, path: str, limit: int | None, revision: str | None) -> list[str]:
        rules.check_path(path)
        snap = self.index()
        if snap is None:
            return []
        if revision is None:
            return snap.commits_for(path, limit)
        at = self.resolve(revision)
        row = snap.row_of(at)
        if row is None:  # not in the current history: ask git directly (slow, rare)
            return [c.id.decode() for c in self.repo.log(paths=[path], limit=limit, start=at)]
        ids = [c for c in snap.commits_for(path) if snap.row_of(c) <= row]  # type: ignore[operator]
        return ids if limit is None else ids[:limit]

    def blame(self, path: str, revision: str | None = None) -> list[BlameLine]:
        """Each line of a text file with the revision that last changed it.

        Follows the file's history in the index (no renames), at most `BLAME_MAX_VERSIONS`
        versions back; older lines are attributed to the oldest version examined.
        """
        text = self.read(path, revision).decode("utf-8", "replace").splitlines()
        snap = self.index()
        ids = snap.commits_for(path) if snap else []
        if revision is not None:
            at = self.resolve(revision)
            ids = ids[ids.index(at) :] if at in ids else ids
        versions: list[tuple[bytes, list[str]]] = []
        for commit_id in ids[:BLAME_MAX_VERSIONS]:
            data = self.repo.read(self.repo.tree_of(commit_id.encode()), path)
            if data is None:
                break  # the file was created after this deletion
            versions.append((commit_id.encode(), data.decode("utf-8", "replace").splitlines()))
        if not versions:
            return []
        owners: list[bytes] = [versions[-1][0]] * len(versions[-1][1])
        lines = versions[-1][1]
        for commit_id, newer in reversed(versions[:-1]):
            matcher = difflib.SequenceMatcher(None, lines, newer, autojunk=False)
            updated: list[bytes] = []
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                updated += owners[i1:i2] if tag == "equal" else [commit_id] * (j2 - j1)
            owners, lines = updated, newer
        revisions = {c: revision_of(self.repo.commit(c)) for c in set(owners)}
        return [
            BlameLine(revisions[o], n, t)
            for n, (o, t) in enumerate(zip(owners, text, strict=False), 1)
        ]

    def diff(self, from_revision: str, to_revision: str | None = None, path: str = "") -> str:
        """A git-style patch between two revisions, of every file or of files under `path`."""
        old = self.repo.resolve(from_revision)
        new = self.repo.resolve(to_revision)
        old_tree, new_tree = self.repo.tree_of(old), self.repo.tree_of(new)
        prefix = path.strip("/")
        chunks = []
        for changed in sorted(changed_paths(self.repo, old_tree, new_tree)):
            if prefix and changed != prefix and not changed.startswith(prefix + "/"):
                continue
            a = self.repo.read(old_tree, changed)
            b = self.repo.read(new_tree, changed)
            chunks.append(_patch(changed, a, b))
        return "".join(chunks)

    # -- writing -----------------------------------------------------------------------------

    def commit(
        self,
        changes: Mapping[str, bytes | None],
        author: Author,
        message: str,
        *,
        expected_head: str | None = ANY_HEAD,
    ) -> str | None:
        """Commit a set of changes (path -> bytes, or None to delete) as one commit.

        Args:
            changes: The files to write or delete; each is checked by `rules.check_path_change`.
            author: Who acts, and through which door.
            message: Commit message (`rules.check_message`).
            expected_head: Compare-and-set: the commit id the caller based the change on
                (`None`: the repository must be empty); `ANY_HEAD` applies the change to
                whatever head is current.

        Returns:
            The new commit id, or None when the change would leave the tree as it is.

        Raises:
            Conflict: Head is not `expected_head` (`current` names it).
            InvalidInput, TooLarge: A path, content or the message breaks a rule.
        """
        items = list(changes.items())
        rules.check_changes(items, self.limits)

        def plan(head: bytes | None, tree: bytes | None) -> list[Change]:
            current = head.decode() if head else None
            if expected_head != ANY_HEAD and current != expected_head:
                raise Conflict(
                    f"The wiki changed since {str(expected_head)[:12]}; the current revision "
                    f"is {current}. Re-read and apply the change again.",
                    current=current or "",
                )
            return items

        new = self.repo.commit_changes(plan, author, message, skip_if_unchanged=True)
        return None if new is None else new.decode()

    def commit_plan(
        self,
        plan: Callable[[bytes | None, bytes | None], list[Change]],
        author: Author,
        message: str,
    ) -> str:
        """Commit what `plan(head, tree)` returns (re-run on every retry), after the rules."""

        def checked(head: bytes | None, tree: bytes | None) -> list[Change]:
            changes = plan(head, tree)
            rules.check_changes(changes, self.limits)
            return changes

        return self.repo.commit_changes(checked, author, message).decode()


def _patch(path: str, old: bytes | None, new: bytes | None) -> str:
    head = f"diff --git a/{path} b/{path}\n"
    if old is None:
        head += "new file mode 100644\n"
    elif new is None:
        head += "deleted file mode 100644\n"
    a = f"a/{path}" if old is not None else "/dev/null"
    b = f"b/{path}" if new is not None else "/dev/null"
    if b"\0" in (old or b"") or b"\0" in (new or b""):
        return head + f"Binary files {a} and {b} differ\n"
    lines = difflib.unified_diff(
        (old or b"").decode("utf-8", "replace").splitlines(keepends=True),
        (new or b"").decode("utf-8", "replace").splitlines(keepends=True),
        fromfile=a,
        tofile=b,
    )
    body = "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )
    return head + body
