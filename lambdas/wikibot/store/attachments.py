"""Attachments: files in a folder named after their page, as Otterwiki stores them.

Page `A/B`'s attachments live in folder `a/b/`, where its subpages (`a/b/*.md`) and their
folders also live. They stay apart by one rule (`wikibot.store.rules.attachment_path`): an
attachment is a file in that folder that is not `.md`. So attachments never list, overwrite,
download or delete a subpage; an attachment name ending in `.md` is refused with an error that
points at write_note. Hidden files (leading dot) are not attachments either.
"""

from __future__ import annotations

from dataclasses import dataclass

from wikibot.errors import NotFound
from wikibot.store import rules
from wikibot.store.paths import RepoFiles
from wikibot.store.repo import Author, Change


@dataclass(frozen=True)
class Attachment:
    """One attached file."""

    name: str
    size: int


def attachment_names(files: RepoFiles, tree: bytes | None, folder: str) -> list[tuple[str, bytes]]:
    """(file name, blob id) of the attachments directly in `folder` under a root tree."""
    entry = files.repo.entry(tree, folder) if tree else None
    if entry is None or entry[0] & 0o170000 != 0o040000:
        return []
    found = []
    for item in files.repo.parsed(entry[1]).iteritems():
        name = item.path.decode("utf-8", "replace")
        if item.mode & 0o170000 != 0o100000 or name.lower().endswith(".md"):
            continue  # folders belong to subpages; .md files are subpages
        if not name.startswith("."):
            found.append((name, item.sha))
    return found


class PageAttachments:
    """List, upload, download and delete a page's attachments.

    Args:
        files: The wiki's path-level layer.
    """

    def __init__(self, files: RepoFiles):
        self.files = files
        self.repo = files.repo

    def _require_page(self, tree: bytes | None, page: str) -> None:
        if tree is None or self.repo.blob_id(tree, rules.page_file(page)) is None:
            raise NotFound(f"Page {page!r} does not exist; create it before attaching files.")

    def _head_tree(self) -> bytes | None:
        head = self.repo.head()
        return self.repo.tree_of(head) if head else None

    def list(self, page: str) -> list[Attachment]:
        """Files attached to a page (subpages excluded), sorted by name."""
        tree = self._head_tree()
        self._require_page(tree, page)
        folder = rules.page_file(page)[:-3]
        found = [
            Attachment(name, self.repo.object(sha).raw_length())
            for name, sha in attachment_names(self.files, tree, folder)
        ]
        return sorted(found, key=lambda a: a.name.lower())

    def get(self, page: str, filename: str, revision: str | None = None) -> bytes:
        """The bytes of one attachment at head or at a revision."""
        path = rules.attachment_path(page, filename)
        data = self.repo.read(self.repo.tree_of(self.repo.resolve(revision)), path)
        if data is None:
            raise NotFound(
                f"No attachment {filename!r} on page {page!r}; use list_attachments to see them."
            )
        return data

    def put(self, page: str, filename: str, data: bytes, author: Author, message: str = "") -> str:
        """Attach (or replace) a file on an existing page; returns the new revision."""
        path = rules.attachment_path(page, filename)
        rules.check_attachment_content(data, self.files.limits)

        def plan(head: bytes | None, tree: bytes | None) -> list[Change]:
            self._require_page(tree, page)
            return [(path, data)]

        default = f"[{author.source}] upload: {page}/{path.rsplit('/', 1)[-1]}"
        return self.files.commit_plan(plan, author, _message(message, default))

    def delete(self, page: str, filename: str, author: Author, message: str = "") -> str:
        """Remove one attachment; returns the new revision."""
        path = rules.attachment_path(page, filename)

        def plan(head: bytes | None, tree: bytes | None) -> list[Change]:
            if tree is None or self.repo.blob_id(tree, path) is None:
                raise NotFound(f"No attachment {filename!r} on page {page!r}; nothing deleted.")
            return [(path, None)]

        default = f"[{author.source}] delete attachment: {page}/{path.rsplit('/', 1)[-1]}"
        return self.files.commit_plan(plan, author, _message(message, default))


def _message(given: str, default: str) -> str:
    return rules.check_message(given) or default
