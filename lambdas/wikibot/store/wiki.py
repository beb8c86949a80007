"""Pages of one wiki: read, write, edit, delete, rename. Queries live in query.py and history.py.

A page's `revision` is the wiki commit it was read at. Writes pass it back: an update lands only
while the page's content at head is still the content at that revision; otherwise `Conflict`
names the current revision so the caller re-reads. The check runs inside the compare-and-set
retry loop, so a concurrent writer can never slip in between check and commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wikibot.errors import AlreadyExists, Conflict, InvalidInput, NotFound, TooLarge
from wikibot.pages import markdown, names
from wikibot.settings import Limits
from wikibot.store.attachments import AttachmentOps
from wikibot.store.history import HistoryOps
from wikibot.store.index import PageIndex
from wikibot.store.query import QueryOps
from wikibot.store.repo import Author, Change, GitRepo


@dataclass(frozen=True)
class Page:
    """A page as read at one revision."""

    name: str
    file: str
    revision: str
    text: str
    meta: markdown.Meta


@dataclass(frozen=True)
class WriteResult:
    """What a write did: the new revision, and whether the page was created."""

    name: str
    revision: str
    created: bool = False


def decode_text(data: bytes, what: str) -> str:
    """Decode UTF-8 text or refuse it with an error that says how to fix it."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{what} is not valid UTF-8 (byte {exc.start}); send UTF-8 text."
        ) from exc


class WikiStore(QueryOps, HistoryOps, AttachmentOps):
    """All operations on one wiki's bare repository.

    Args:
        repo: The wiki's git repository.
        limits: Size limits for pages and attachments.

    File names follow otterwiki's default (lower-case files); its RETAIN_PAGE_NAME_CASE mode is
    not supported.
    """

    def __init__(self, repo: GitRepo, *, limits: Limits | None = None):
        self.repo = repo
        self.limits = limits or Limits()
        self.index = PageIndex.shared()

    @classmethod
    def open(cls, path: Path, **kwargs: object) -> WikiStore:
        """Open an existing wiki repository (`NotFound` if there is none)."""
        return cls(GitRepo(path), **kwargs)

    # -- names ---------------------------------------------------------------------------------

    def file_for(self, name: str) -> str:
        """The repository file of a page name (validated; `InvalidInput` when unsafe)."""
        if isinstance(name, str) and name.lstrip().startswith("/"):
            # Otterwiki reads "/x" as root-relative, but from an API caller it looks like a file
            # system path: refuse it rather than guess.
            raise InvalidInput(
                f"Page name {name!r} is an absolute path; page names are relative to the wiki "
                "root, e.g. 'Projects/Alpha'."
            )
        return names.page_file(name)

    # -- read ----------------------------------------------------------------------------------

    def read(self, name: str, revision: str | None = None, section: str | None = None) -> Page:
        """Read a page at head or at a revision, optionally only one section."""
        path = self.file_for(name)
        commit = self.repo.resolve(revision)
        blob = self.repo.blob_id(self.repo.tree_of(commit), path)
        if blob is None:
            at = f" at revision {revision}" if revision else ""
            raise NotFound(
                f"Page {name!r} does not exist{at}. Use list_notes or search_notes to find "
                "pages, or write_note to create it."
            )
        info = self.index.info(self.repo, blob)  # shared with links/list/search: parsed once
        text = markdown.extract_section(info.text, section) if section else info.text
        return Page(names.page_name(path), path, commit.decode(), text, info.meta)

    def exists(self, name: str) -> bool:
        """Whether the page exists at head."""
        head = self.repo.head()
        return (
            bool(head)
            and self.repo.blob_id(self.repo.tree_of(head), self.file_for(name)) is not None
        )

    # -- write ---------------------------------------------------------------------------------

    def write(
        self,
        name: str,
        content: str | bytes,
        author: Author,
        *,
        revision: str | None = None,
        message: str = "",
    ) -> WriteResult:
        """Create a page, or replace it when `revision` is the one its content was read at."""
        path = self.file_for(name)
        data = self._page_bytes(content)
        base = self.repo.resolve(revision) if revision else None
        created = False

        def plan(head: bytes | None, tree: bytes | None) -> list[Change]:
            nonlocal created
            current = self.repo.blob_id(tree, path) if tree else None
            if base is None:
                if current is not None:
                    raise Conflict(
                        f"Page {name!r} already exists. Read it with read_note and pass its "
                        "revision to write_note to replace it (or use edit_note).",
                        current=head.decode(),
                    )
                created = True
            else:
                self._check_unchanged(name, path, base, head, current)
            return [(path, data)]

        action = "update" if base else "create"
        new = self.repo.commit_changes(plan, author, message or _message(author, action, name))
        return WriteResult(names.page_name(path), new.decode(), created)

    def edit(
        self,
        name: str,
        old: str,
        new: str,
        author: Author,
        *,
        revision: str,
        message: str = "",
    ) -> WriteResult:
        """Replace the one exact occurrence of `old` with `new` (empty `new` deletes it)."""
        if not old:
            raise InvalidInput("old_string is empty: pass the exact text to replace.")
        path = self.file_for(name)
        base = self.repo.resolve(revision)
        original = self.repo.read(self.repo.tree_of(base), path)
        if original is None:
            raise NotFound(f"Page {name!r} did not exist at revision {revision}; read it first.")
        head = self.repo.head()
        self._check_unchanged(
            name, path, base, head, self.repo.blob_id(self.repo.tree_of(head), path)
        )
        text = original.decode("utf-8", "replace")
        count = text.count(old)
        if count != 1:
            hint = "not found" if count == 0 else f"found {count} times"
            raise InvalidInput(
                f"old_string was {hint} in {name!r}; it must occur exactly once. Re-read the "
                "page and include more surrounding text to make it unique."
            )
        data = self._page_bytes(text.replace(old, new, 1))

        def plan(head: bytes | None, tree: bytes | None) -> list[Change]:
            current = self.repo.blob_id(tree, path) if tree else None
            self._check_unchanged(name, path, base, head, current)
            return [(path, data)]

        commit = self.repo.commit_changes(plan, author, message or _message(author, "edit", name))
        return WriteResult(names.page_name(path), commit.decode())

    def delete(self, name: str, author: Author, *, message: str = "") -> WriteResult:
        """Delete a page and its attachments folder (history keeps both)."""
        path = self.file_for(name)
        folder = names.attachment_dir(name)

        def plan(head: bytes | None, tree: bytes | None) -> list[Change]:
            if tree is None or self.repo.blob_id(tree, path) is None:
                raise NotFound(f"Page {name!r} does not exist; nothing was deleted.")
            files = self._files_under(tree, folder)
            return [(path, None)] + [(f, None) for f in files]

        commit = self.repo.commit_changes(plan, author, message or _message(author, "delete", name))
        return WriteResult(names.page_name(path), commit.decode())

    def rename(
        self, name: str, new_name: str, author: Author, *, message: str = ""
    ) -> tuple[WriteResult, list[str]]:
        """Move a page (and its attachments) and rewrite links to it, in one commit.

        Returns the result and the names of the pages whose links were rewritten.
        """
        old_path, new_path = self.file_for(name), self.file_for(new_name)
        old_dir = names.attachment_dir(name)
        new_dir = names.attachment_dir(new_name)
        if old_path == new_path:
            raise InvalidInput(f"{name!r} and {new_name!r} are the same page.")
        rewritten: list[str] = []

        def plan(head: bytes | None, tree: bytes | None) -> list[Change]:
            source = self.repo.read(tree, old_path) if tree else None
            if source is None:
                raise NotFound(f"Page {name!r} does not exist; nothing was renamed.")
            if self.repo.blob_id(tree, new_path) is not None:
                raise AlreadyExists(
                    f"Page {new_name!r} already exists; choose another name or delete it first."
                )
            changes: list[Change] = [(old_path, None)]
            moved = source
            rewritten.clear()
            for path, info in self.index.pages(self.repo, tree):
                if old_path not in info.targets:
                    continue
                updated = markdown.rewrite_links(info.text, name, new_name).encode()
                if path == old_path:
                    moved = updated
                else:
                    changes.append((path, updated))
                    rewritten.append(names.page_name(path))
            changes.append((new_path, moved))
            for f in self._files_under(tree, old_dir):
                changes += [(f, None), (new_dir + f[len(old_dir) :], self.repo.read(tree, f))]
            return changes

        text = message or f"[{author.source}] rename: {name} -> {new_name}"
        commit = self.repo.commit_changes(plan, author, text)
        return WriteResult(names.page_name(new_path), commit.decode()), rewritten

    # -- helpers -------------------------------------------------------------------------------

    def _page_bytes(self, content: str | bytes) -> bytes:
        data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
        if len(data) > self.limits.max_page_bytes:
            raise TooLarge(
                f"Page is {len(data):,} bytes; the limit is {self.limits.max_page_bytes:,}. "
                "Split it into several linked pages."
            )
        text = decode_text(data, "Page content")
        if "\x00" in text:
            raise InvalidInput("Page content contains a NUL character; send plain text.")
        return data

    def _check_unchanged(
        self, name: str, path: str, base: bytes, head: bytes | None, current: bytes | None
    ) -> None:
        if self.repo.blob_id(self.repo.tree_of(base), path) != current:
            raise Conflict(
                f"Page {name!r} changed since revision {base.decode()[:12]}; the current "
                f"revision is {head.decode() if head else 'none'}. Re-read it with read_note, "
                "merge your change, and write again with the new revision.",
                current=head.decode() if head else "",
            )

    def _files_under(self, tree: bytes, folder: str) -> list[str]:
        entry = self.repo.entry(tree, folder)
        if entry is None or entry[0] & 0o170000 != 0o040000:
            return []
        return [folder + "/" + p for p, _ in self.repo.walk_files(entry[1])]


def _message(author: Author, action: str, name: str) -> str:
    return f"[{author.source}] {action}: {name}"
