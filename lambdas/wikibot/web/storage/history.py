"""A wiki's history as Otterwiki asks for it: last changes, logs, blame, diffs, commits.

Answers come from the store's per-head index (persisted beside the repository) where it knows the
commit, so a cold process does not walk history; older commits fall back to first-parent walks
memoised per (commit, path).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from difflib import SequenceMatcher

from dulwich.objects import Commit

from wikibot.web import gitdiff
from wikibot.web.errors import StorageNotFound
from wikibot.web.storage.caches import ABSENT, CHANGED, LAST_CHANGE

RENAME_SIMILARITY = 0.5  # git's default for rename detection (-M50%)
RENAME_CANDIDATES = 20  # removed files compared by content in one commit, at most


class History:
    """`GitStorage`'s history methods (mixed into `WikiStorage`, which holds the state)."""

    def last_change(self, path: str, commit: bytes | None = None) -> bytes | None:
        """The newest commit at or before `commit` (default head) that changed `path`.

        From the store's per-head index (persisted beside the repository), so a cold process
        answers without walking history; commits outside the index fall back to a walk.
        """
        commit = commit or self._head
        if commit is None:
            return None
        snap = self.files.index_at(self._head)
        rows = self._row_of(snap)
        row = rows.get(commit.decode())
        if row is not None:
            touched = snap.touched.get(path, ())
            at = bisect.bisect_right(touched, row)
            return snap.commits[touched[at - 1]].encode() if at else None
        return self._walk_last_change(path, commit)

    def _row_of(self, snap) -> dict[str, int]:
        if self._rows is None or self._rows[0] != snap.head:
            self._rows = (snap.head, {c: i for i, c in enumerate(snap.commits)})
        return self._rows[1]

    def _touched_by_row(self) -> dict[int, list[str]]:
        """Index row -> paths that commit touched (the wiki's changelog without tree diffs)."""
        if self._head is None:
            return {}
        snap = self.files.index_at(self._head)
        if self._files_by_row is None or self._files_by_row[0] != snap.head:
            by_row: dict[int, list[str]] = {}
            for path, rows in snap.touched.items():
                for row in rows:
                    by_row.setdefault(row, []).append(path)
            self._files_by_row = (snap.head, {r: sorted(p) for r, p in by_row.items()})
        return self._files_by_row[1]

    def _walk_last_change(self, path: str, commit: bytes) -> bytes | None:
        """First-parent walk comparing blob ids, memoised per (commit, path)."""
        key = path.encode()
        chain: list[bytes] = []
        current, blob = commit, self._blob(path, commit)
        while True:
            cached = LAST_CHANGE.get(current + key)
            if cached is not None:
                result = cached
                break
            parents = self.repo.commit(current).parents
            parent_blob = self._blob(path, parents[0]) if parents else None
            if parent_blob != blob:
                result = current
                break
            chain.append(current)
            if not parents:
                result = ABSENT
                break
            current = parents[0]
        for sha in chain:
            LAST_CHANGE.put(sha + key, result)
        return None if result == ABSENT else result

    def mtime(self, filename: str) -> datetime:
        """When a file last changed (naive local time, as GitStorage returns it)."""
        path = self.canonical_filename(filename)
        if self._blob(path) is None:
            raise FileNotFoundError(filename)
        sha = self.last_change(path)
        return datetime.fromtimestamp(self.repo.commit(sha).author_time)

    def changed_files(self, commit: Commit) -> tuple[str, ...]:
        """Files a commit changed against its first parent (cached: commits never change)."""

        def compute() -> tuple[str, ...]:
            if self._head is not None:  # the store's index knows what each commit touched
                row = self._row_of(self.files.index_at(self._head)).get(commit.id.decode())
                if row is not None:
                    return tuple(self._touched_by_row().get(row, ()))
            parent = self.repo.tree_of(commit.parents[0]) if commit.parents else None
            return tuple(sorted(gitdiff.changed_paths(self.repo, parent, commit.tree)))

        return CHANGED.get_or_make(commit.id, compute)

    def _meta(self, commit: Commit, files: Iterable[str] | None = None, as_list=False) -> dict:
        raw = commit.author.decode("utf-8", "replace")
        name, _, email = raw.partition(" <")
        files = list(files) if files is not None else list(self.changed_files(commit))
        sha = commit.id.decode()
        return {
            "revision-full": sha,
            "revision": sha[:6],
            "datetime": datetime.fromtimestamp(commit.author_time, UTC),
            "author_name": name.strip(),
            "author_email": email.rstrip(">"),
            "message": commit.message.decode("utf-8", "replace").strip(),
            "files": files if as_list else {f: {} for f in files},
        }

    def metadata(self, filename: str, revision: str | None = None) -> dict:
        """The commit that last changed a file, at head or at/before a revision."""
        path = self.canonical_filename(filename)
        start = self.resolve(revision) if revision is not None else None
        sha = self.last_change(path, start)
        if sha is None or (start is None and self._blob(path) is None):
            raise StorageNotFound(f"{filename} has no history.")
        return self._meta(self.repo.commit(sha))

    def _first_parent(self, start: bytes | None) -> Iterator[Commit]:
        sha = start
        while sha:
            commit = self.repo.commit(sha)
            yield commit
            sha = commit.parents[0] if commit.parents else None

    def log(self, filename: str | None = None, fail_on_git_error=False, max_count=None) -> list:
        """Commits newest first (of one file, or of the wiki), as GitStorage's dicts."""
        entries = []
        if filename is None:
            touched = self._touched_by_row()
            rows = self._row_of(self.files.index_at(self._head)) if self._head else {}
            for commit in self._first_parent(self._head):
                row = rows.get(commit.id.decode())
                files = touched.get(row, []) if row is not None else None
                entries.append(self._meta(commit, files=files, as_list=True))
                if max_count and len(entries) >= max_count:
                    break
            return entries
        return self._file_log(filename, max_count)

    def _file_log(self, filename: str, max_count: int | None) -> list:
        """One file's commits, following renames as `git log --follow` does for Otterwiki.

        Each entry's `files` is the file's name at that commit (what `--name-only` shows): the
        history page links older revisions and diffs by it. The walk jumps from one change to the
        next through the store's index; only the commit that added a name is looked at for the
        name it had before (`_renamed_from`).
        """
        entries: list[dict] = []
        path = self.canonical_filename(filename)
        sha = self.last_change(path)
        while sha:
            commit = self.repo.commit(sha)
            entries.append(self._meta(commit, files=[path], as_list=True))
            if (max_count and len(entries) >= max_count) or not commit.parents:
                break
            parent = commit.parents[0]
            if self._blob(path, parent) is None:  # the name appeared here: renamed from?
                path = self._renamed_from(commit, path) or path  # else: created (or re-created)
            sha = self.last_change(path, parent)
        if not entries:
            raise StorageNotFound(f"{filename} has no history.")
        return entries

    def _renamed_from(self, commit: Commit, path: str) -> str | None:
        """The file this commit removed that `path` continues: same content, else similar.

        Git's rename detection in short: an identical blob first; otherwise the most similar
        removed text file at >= 50% (line-based), among at most `RENAME_CANDIDATES` removals.
        """
        blob = self._blob(path, commit.id)
        parent = commit.parents[0]
        removed = []
        for other in self.changed_files(commit):
            if other == path or self._blob(other, commit.id) is not None:
                continue
            before = self._blob(other, parent)
            if before == blob:
                return other
            if before is not None and len(removed) < RENAME_CANDIDATES:
                removed.append((other, before))
        if blob is None or not removed:
            return None
        text = self._data(blob).decode("utf-8", "replace").splitlines()
        best, best_ratio = None, RENAME_SIMILARITY
        for other, before in removed:
            old = self._data(before).decode("utf-8", "replace").splitlines()
            ratio = SequenceMatcher(None, old, text, autojunk=False).ratio()
            if ratio >= best_ratio:
                best, best_ratio = other, ratio
        return best

    def get_parent_revision(self, filename: str, revision: str) -> str:
        """The revision of the file's change before `revision`."""
        log = self.log(filename)
        for i, entry in enumerate(log):
            if entry["revision"] == revision and i + 1 < len(log):
                return log[i + 1]["revision"]
        raise StorageNotFound

    def get_filename_at_revision(self, current_filename: str, revision: str) -> str:
        """The file's name at `revision`, following renames back from its current name."""
        rev = str(revision or "").strip().lower()
        try:
            log = self.log(current_filename)
        except StorageNotFound:
            return current_filename
        for entry in log:
            full = entry["revision-full"]
            if rev and (full.startswith(rev) or rev.startswith(entry["revision"])):
                return entry["files"][0]
        return current_filename

    def blame(self, filename: str, revision: str | None = None) -> list[tuple]:
        """Per line: (revision, author, datetime, line number, line, message)."""
        path = self.canonical_filename(filename)
        start = self.resolve(revision or "HEAD")
        history, sha = [], self.last_change(path, start)
        while sha:
            commit = self.repo.commit(sha)
            blob = self._blob(path, sha)
            if blob is None:
                break
            history.append((commit, self.repo.objects[blob].data.decode("utf-8", "replace")))
            sha = self.last_change(path, commit.parents[0]) if commit.parents else None
        if not history:
            raise StorageNotFound(f"{filename} not found.")
        owners = gitdiff.blame_lines([text for _, text in history])
        metas = [self._meta(c, files=()) for c, _ in history]
        lines = history[0][1].splitlines()
        return [
            (
                metas[o]["revision"],
                metas[o]["author_name"],
                metas[o]["datetime"],
                n + 1,
                line,
                metas[o]["message"],
            )
            for n, (line, o) in enumerate(zip(lines, owners, strict=False))
        ]

    def diff(self, rev_a: str, rev_b: str) -> str:
        """A git-style patch between two revisions (what unidiff parses)."""
        a, b = self.resolve(rev_a), self.resolve(rev_b)
        return gitdiff.patch(self.repo, self.repo.tree_of(a), self.repo.tree_of(b))

    def show_commit(self, revision: str) -> tuple[dict, str]:
        """A commit's metadata and its patch against the first parent."""
        commit = self.repo.commit(self.resolve(revision))
        parent = self.repo.tree_of(commit.parents[0]) if commit.parents else None
        return self._meta(commit), gitdiff.patch(self.repo, parent, commit.tree)
