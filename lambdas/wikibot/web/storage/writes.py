"""Writing a wiki: one compare-and-set commit per Otterwiki operation, through the store.

Every commit goes through the store's file layer (its write rules, its lock, its index). A save
carries the revision the editor opened (`save_base`): if the page changed since, `Conflict`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from wikibot.errors import Conflict
from wikibot.store.repo import Author, Change
from wikibot.web.errors import StorageError


def _author(author: tuple[str, str] | None) -> Author:
    name, email = author or ("", "")
    return Author(name or "Anonymous", email or "anonymous@users.wikibot", "web")


def _message(message: str | None, default: str) -> str:
    text = (message or "").strip() or default
    return text if text.startswith("[web]") else f"[web] {text}"


class Writes:
    """`GitStorage`'s writing methods (mixed into `WikiStorage`, which holds the state)."""

    def _commit(self, changes: dict[str, bytes | None], message: str, author) -> bytes:
        base = self.save_base

        def plan(head: bytes | None, tree: bytes | None) -> list[Change]:
            if base is not None:
                self._check_base(changes, base, head)
            return list(changes.items())

        new = self.files.commit_plan(plan, _author(author), message).encode()
        self._head = new
        if self.on_change:
            self.on_change(sorted(changes))
        return new

    def _check_base(self, changes: dict, base: str, head: bytes | None) -> None:
        """Refuse a save when the page changed after the editor opened (`base`)."""
        for path in changes:
            at_head = self._blob(path, head) if head else None
            at_base = None if base == "new" else self._blob(path, self.resolve(base))
            if at_head != at_base:
                raise Conflict(
                    f"{path} was changed by someone else after you opened the editor.",
                    current=head.decode() if head else "",
                )

    def store(self, filename, content, message="", author=("", ""), mode="w") -> bool:
        """Write one file and commit it; False when the content is unchanged."""
        path = self.canonical_filename(filename)
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        if self._blob(path) is not None and self.load(path, "rb") == data:
            return False
        action = "update" if self._blob(path) is not None else "create"
        self._commit({path: data}, _message(message, f"{action}: {path}"), author)
        return True

    def update(self, filename, content, mode="w") -> bool:
        """Stage a file for the next `commit()`; False when unchanged."""
        path = self.canonical_filename(filename)
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        if self.exists(path) and self.load(path, "rb") == data:
            return False
        self._pending[path] = data
        return True

    def _take_scratch(self, paths: Iterable[str]) -> None:
        """Move files Otterwiki saved into the scratch folder (uploads) into the staged set."""
        for path in paths:
            disk = Path(self.path) / self.canonical_filename(path)
            if disk.is_file():
                data = disk.read_bytes()
                disk.unlink()
                self._pending[self.canonical_filename(path)] = data

    def commit(self, filenames, message="", author=("", ""), no_add=False) -> None:
        """Commit the staged changes (and uploads waiting in the scratch folder) as one commit."""
        names = filenames if isinstance(filenames, list) else [filenames]
        self._take_scratch(names)
        if not self._pending:
            return
        changes, self._pending = self._pending, {}
        self._commit(changes, _message(message, "update"), author)

    def restore(self, paths, revision="HEAD") -> None:
        """Forget staged changes below `paths` (the rollback of a failed rename)."""
        for path in paths:
            if not path:
                continue
            for staged, _ in list(self._pending_under(path)):
                self._pending.pop(staged, None)
            self._pending.pop(path, None)

    def rename(
        self,
        old_filename,
        new_filename,
        message=None,
        author=None,
        no_commit=False,
        files_updated=None,
        preserve_symlink_target=False,
    ) -> None:
        """Move a file or folder; staged with `no_commit`, else committed with `files_updated`."""
        old, new = self.canonical_filename(old_filename), self.canonical_filename(new_filename)
        if self.exists(new):
            raise StorageError(
                f'The filename "{new_filename}" already exist. Please choose a new filename.'
            )
        moved = self._files_under(old)
        if not moved:
            raise StorageError(f"Renaming {old_filename} to {new_filename} failed: not found.")
        for path in moved:
            data = self.load(path, "rb")
            self._pending[path] = None
            self._pending[new + path[len(old) :]] = data
        if not no_commit:
            self.commit(files_updated or [], message or f"rename: {old} -> {new}", author)

    def delete(self, filename, message=None, author=("", "")) -> None:
        """Delete files or folders in one commit."""
        names = filename if isinstance(filename, list) else [filename]
        changes: dict[str, bytes | None] = {}
        for name in names:
            for path in self._files_under(self.canonical_filename(name)):
                changes[path] = None
        if changes:
            self._commit(changes, _message(message, f"delete: {', '.join(names)}"), author)

    def revert(self, revision, message="", author=("", "")) -> None:
        """Undo one commit's changes, if the files are still as that commit left them."""
        commit = self.repo.commit(self.resolve(revision))
        parent = commit.parents[0] if commit.parents else None
        changes: dict[str, bytes | None] = {}
        for path in self.changed_files(commit):
            if self._blob(path) != self._blob(path, commit.id):
                raise StorageError("Revert failed.")
            before = self._blob(path, parent) if parent else None
            changes[path] = None if before is None else self.repo.objects[before].data
        self._commit(changes, _message(message, f"revert {commit.id.decode()[:7]}"), author)

    def count_objects(self) -> str:
        """Not available without git; answered for the housekeeping page."""
        return "Object counts are not available in wikibot."

    def gc(self) -> str:
        """Housekeeping happens outside the web UI."""
        return ""
