"""The page API of one wiki: read, write, edit, delete, rename, plus queries, history, attachments.

Built by composition on the path-level layer (`paths.RepoFiles`, which applies `rules` to every
write): `PageQueries`, `PageHistory` and `PageAttachments` each get that layer and nothing else.

A page's `revision` is the wiki commit it was read at. Writes pass it back: an update lands only
while the page's content at head is still the content at that revision; otherwise `Conflict`
names the current revision so the caller re-reads. The check runs inside the compare-and-set
retry loop, so a concurrent writer can never slip in between check and commit.

Decisions:
- Deleting a page removes the page and its own attachments (the non-`.md` files directly in its
  folder). Its subpages stay, with their own attachments; the result names what went and what
  stayed. History keeps everything.
- Renaming a page moves its whole folder with it (attachments, subpages and their files), and in
  the same commit rewrites every WikiLink to the page or to any moved subpage, in every page
  (moved ones included). It refuses to overwrite any existing file and to move a page into its
  own folder. So a rename never leaves a dangling link that pointed at a moved page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wikibot import tracing
from wikibot.errors import AlreadyExists, Conflict, InvalidInput, NotFound
from wikibot.pages import markdown, names, search
from wikibot.settings import Limits
from wikibot.store import rules
from wikibot.store.attachments import Attachment, PageAttachments, attachment_names
from wikibot.store.history import PageHistory
from wikibot.store.index import PageInfo
from wikibot.store.paths import RepoFiles
from wikibot.store.query import Links, PageQueries, PageSummary
from wikibot.store.repo import Author, Change, GitRepo
from wikibot.store.revision import Revision


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
    """What a write did: the new revision, whether the page was created, what else moved.

    Attributes:
        removed: For a delete, the attachments removed with the page.
        kept: For a delete, the subpages that stay.
    """

    name: str
    revision: str
    created: bool = False
    removed: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()


def decode_text(data: bytes, what: str) -> str:
    """Decode UTF-8 text or refuse it with an error that says how to fix it."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{what} is not valid UTF-8 (byte {exc.start}); send UTF-8 text."
        ) from exc


class WikiStore:
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
        self.files = RepoFiles(repo, self.limits)
        self.index = self.files.pages  # parsed pages by (repository, blob id)
        self.queries = PageQueries(self.files)
        self.page_history = PageHistory(self.files)
        self.attachment_ops = PageAttachments(self.files)

    @classmethod
    @tracing.traced("store.open")
    def open(cls, path: Path, **kwargs: object) -> WikiStore:
        """Open an existing wiki repository (`NotFound` if there is none)."""
        return cls(GitRepo(path), **kwargs)

    # -- names ---------------------------------------------------------------------------------

    def file_for(self, name: str) -> str:
        """The repository file of a page name (validated; `InvalidInput` when unsafe)."""
        return rules.page_file(name)

    # -- queries, history, attachments (see query.py, history.py, attachments.py) ------------

    def pages(self) -> list[tuple[str, PageInfo]]:
        """(page file, parsed info) for every page at head."""
        return self.queries.pages()

    def list_pages(
        self, prefix: str = "", category: str = "", tag: str = "", updated_since: str = ""
    ) -> list[PageSummary]:
        """Pages matching every given filter, sorted by name."""
        return self.queries.list_pages(prefix, category, tag, updated_since)

    def search(self, query: str, limit: int = 20) -> list[search.Hit]:
        """Ranked full-text search over page names and text."""
        return self.queries.search(query, limit)

    def links(self, name: str) -> Links:
        """Outgoing and incoming WikiLinks of an existing page."""
        return self.queries.links(name)

    def orphans(self) -> list[str]:
        """Pages no other page links to (Home excluded)."""
        return self.queries.orphans()

    def history(self, name: str, limit: int = 10) -> list[Revision]:
        """Revisions that changed a page, newest first."""
        return self.page_history.history(name, limit)

    def recent_changes(self, limit: int = 20) -> list[Revision]:
        """The wiki's latest commits, newest first, with the pages each touched."""
        return self.page_history.recent_changes(limit)

    def diff(self, name: str, from_revision: str, to_revision: str = "") -> str:
        """Unified diff of a page between two revisions (`to_revision` defaults to head)."""
        return self.page_history.diff(name, from_revision, to_revision)

    def attachments(self, page: str) -> list[Attachment]:
        """Files attached to a page (subpages excluded), sorted by name."""
        return self.attachment_ops.list(page)

    def get_attachment(self, page: str, filename: str, revision: str | None = None) -> bytes:
        """The bytes of one attachment at head or at a revision."""
        return self.attachment_ops.get(page, filename, revision)

    def put_attachment(self, page: str, filename: str, data: bytes, author: Author) -> str:
        """Attach (or replace) a file on an existing page; returns the new revision."""
        return self.attachment_ops.put(page, filename, data, author)

    def delete_attachment(self, page: str, filename: str, author: Author) -> str:
        """Remove one attachment (never a subpage); returns the new revision."""
        return self.attachment_ops.delete(page, filename, author)

    # -- read ----------------------------------------------------------------------------------

    @tracing.traced("store.read")
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
        action = "update" if revision else "create"
        text = _message(message, author, action, name)
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

        new = self.files.commit_plan(plan, author, text)
        return WriteResult(names.page_name(path), new, created)

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
        text_message = _message(message, author, "edit", name)
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

        commit = self.files.commit_plan(plan, author, text_message)
        return WriteResult(names.page_name(path), commit)

    def delete(self, name: str, author: Author, *, message: str = "") -> WriteResult:
        """Delete a page and its own attachments; its subpages stay (history keeps all)."""
        path = self.file_for(name)
        folder = path[:-3]
        text = _message(message, author, "delete", name)
        removed: list[str] = []
        kept: list[str] = []

        def plan(head: bytes | None, tree: bytes | None) -> list[Change]:
            if tree is None or self.repo.blob_id(tree, path) is None:
                raise NotFound(f"Page {name!r} does not exist; nothing was deleted.")
            removed[:] = [n for n, _ in attachment_names(self.files, tree, folder)]
            kept[:] = [
                names.page_name(f) for f in self._files_under(tree, folder) if f.endswith(".md")
            ]
            return [(path, None)] + [(f"{folder}/{n}", None) for n in removed]

        commit = self.files.commit_plan(plan, author, text)
        return WriteResult(names.page_name(path), commit, removed=tuple(removed), kept=tuple(kept))

    def rename(
        self, name: str, new_name: str, author: Author, *, message: str = ""
    ) -> tuple[WriteResult, list[str]]:
        """Move a page with its folder (attachments, subpages) and rewrite links, in one commit.

        Returns the result and the names of the pages (at their new paths) whose links were
        rewritten.
        """
        old_path, new_path = self.file_for(name), self.file_for(new_name)
        old_dir, new_dir = old_path[:-3], new_path[:-3]
        if old_path == new_path:
            raise InvalidInput(f"{name!r} and {new_name!r} are the same page.")
        if new_path.startswith(old_dir + "/"):
            raise InvalidInput(
                f"Cannot move {name!r} into its own folder ({new_name!r}); choose a name "
                "outside it."
            )
        text = _message(message, author, "rename", f"{name} -> {new_name}")
        new_base = names.normalize_page_name(new_name)
        rewritten: list[str] = []

        def plan(head: bytes | None, tree: bytes | None) -> list[Change]:
            if tree is None or self.repo.blob_id(tree, old_path) is None:
                raise NotFound(f"Page {name!r} does not exist; nothing was renamed.")
            moves = {old_path: new_path}
            for f in self._files_under(tree, old_dir):
                moves[f] = new_dir + f[len(old_dir) :]
            for target in moves.values():
                if self.repo.entry(tree, target) is not None:
                    shown = names.page_name(target) if target.endswith(".md") else target
                    raise AlreadyExists(
                        f"{shown!r} already exists; choose another name or delete it first."
                    )
            # Every moved page's old and new name, for rewriting links to it.
            renamed = {
                old: (
                    names.page_name(old),
                    new_base + names.page_name(old)[len(names.page_name(old_path)) :],
                )
                for old in moves
                if old.endswith(".md")
            }
            snap = self.files.index_at(head)
            sources = set(renamed)
            for old in renamed:
                sources |= snap.backlinks(old)
            changes: list[Change] = [(old, None) for old in moves]
            contents = {old: self.repo.read(tree, old) for old in moves}
            rewritten.clear()
            for source in sorted(sources):
                data = contents[source] if source in contents else self.repo.read(tree, source)
                if data is None:
                    continue
                blob = self.repo.blob_id(tree, source)
                targets = self.files.pages.info(self.repo, blob).targets if blob else frozenset()
                page_text = data.decode("utf-8", "replace")
                for old, (old_name, new_page) in renamed.items():
                    if old in targets:
                        page_text = markdown.rewrite_links(page_text, old_name, new_page)
                updated = page_text.encode()
                if updated == data:
                    continue
                if source in contents:
                    contents[source] = updated
                else:
                    changes.append((source, updated))
                if source != old_path:  # the renamed page itself is reported by its new name
                    rewritten.append(names.page_name(moves.get(source, source)))
            changes += [(moves[old], contents[old]) for old in moves]
            return changes

        commit = self.files.commit_plan(plan, author, text)
        return WriteResult(names.page_name(new_path), commit), sorted(rewritten)

    # -- helpers -------------------------------------------------------------------------------

    def _page_bytes(self, content: str | bytes) -> bytes:
        data = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
        return rules.check_page_content(data, self.limits)

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


def _message(given: str, author: Author, action: str, name: str) -> str:
    """The caller's message (checked by the rules) or the default `[door] action: name`."""
    return rules.check_message(given or "") or f"[{author.source}] {action}: {name}"
