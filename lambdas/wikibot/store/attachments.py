"""Attachments: files in a folder named after their page, as otterwiki stores them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wikibot.errors import NotFound, TooLarge
from wikibot.pages import names

if TYPE_CHECKING:
    from wikibot.settings import Limits
    from wikibot.store.repo import Author, Change, GitRepo


@dataclass(frozen=True)
class Attachment:
    """One attached file."""

    name: str
    size: int


class AttachmentOps:
    """Mixin for WikiStore: list, upload, download and delete a page's attachments."""

    repo: GitRepo
    limits: Limits

    file_for: Callable[[str], str]  # provided by WikiStore

    def _folder(self, page: str) -> str:
        return names.attachment_dir(page)

    def _require_page(self, tree: bytes | None, page: str) -> None:
        if tree is None or self.repo.blob_id(tree, self.file_for(page)) is None:
            raise NotFound(f"Page {page!r} does not exist; create it before attaching files.")

    def attachments(self, page: str) -> list[Attachment]:
        """Files attached to a page, sorted by name."""
        head = self.repo.head()
        tree = self.repo.tree_of(head) if head else None
        self._require_page(tree, page)
        entry = self.repo.entry(tree, self._folder(page))
        if entry is None or entry[0] & 0o170000 != 0o040000:
            return []
        found = []
        for item in self.repo.objects[entry[1]].iteritems():
            if item.mode & 0o170000 == 0o100000:
                size = self.repo.objects[item.sha].raw_length()
                found.append(Attachment(item.path.decode("utf-8", "replace"), size))
        return sorted(found, key=lambda a: a.name.lower())

    def get_attachment(self, page: str, filename: str, revision: str | None = None) -> bytes:
        """The bytes of one attachment at head or at a revision."""
        path = f"{self._folder(page)}/{names.normalize_attachment_name(filename)}"
        data = self.repo.read(self.repo.tree_of(self.repo.resolve(revision)), path)
        if data is None:
            raise NotFound(
                f"No attachment {filename!r} on page {page!r}; use list_attachments to see them."
            )
        return data

    def put_attachment(self, page: str, filename: str, data: bytes, author: Author) -> str:
        """Attach (or replace) a file on an existing page; returns the new revision."""
        safe = names.normalize_attachment_name(filename)
        if len(data) > self.limits.max_attachment_bytes:
            raise TooLarge(
                f"Attachment is {len(data):,} bytes; the limit is "
                f"{self.limits.max_attachment_bytes:,}."
            )
        path = f"{self._folder(page)}/{safe}"

        def plan(head: bytes | None, tree: bytes | None) -> list[Change]:
            self._require_page(tree, page)
            return [(path, data)]

        message = f"[{author.source}] upload: {page}/{safe}"
        return self.repo.commit_changes(plan, author, message).decode()

    def delete_attachment(self, page: str, filename: str, author: Author) -> str:
        """Remove one attachment; returns the new revision."""
        safe = names.normalize_attachment_name(filename)
        path = f"{self._folder(page)}/{safe}"

        def plan(head: bytes | None, tree: bytes | None) -> list[Change]:
            if tree is None or self.repo.blob_id(tree, path) is None:
                raise NotFound(f"No attachment {filename!r} on page {page!r}; nothing deleted.")
            return [(path, None)]

        message = f"[{author.source}] delete attachment: {page}/{safe}"
        return self.repo.commit_changes(plan, author, message).decode()
