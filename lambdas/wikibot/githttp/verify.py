"""Check a received pack before anything of it reaches the repository.

A push arrives as a pack parsed into a `Quarantine` (memory only). `check_push` walks every new
commit, oldest first, and compares its tree with its first parent's:

- each added or changed file passes the store's write rules (`wikibot.store.rules`: path,
  reserved names, page vs attachment, content and size) and each message `rules.check_message`;
- every object a new commit, tree or entry references is in the pack or already in this
  repository's own object store (connectivity): never a cache shared with other wikis, so a
  commit whose tree points at another wiki's blob is refused;
- every new object passes dulwich's format checks (what `git fsck` would complain about);
- the client's old head is an ancestor of the new head (no force push).

The objects it visited are the ones to store; anything else in the pack is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from dulwich.errors import ObjectFormatException
from dulwich.object_store import BaseObjectStore, MemoryObjectStore
from dulwich.objects import Blob, Commit, ShaFile, Tree

from wikibot.errors import InvalidInput
from wikibot.pages import names
from wikibot.settings import Limits
from wikibot.store import rules

DIR_MODE = 0o040000
ZERO = b"0" * 40


class Refused(Exception):
    """The push breaks a rule; nothing is stored.

    Attributes:
        reason: Short text for the `ng` status line (git shows it in parentheses).
        detail: The full explanation, sent as `remote:` lines.
    """

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail or reason


class Quarantine(MemoryObjectStore):
    """The pushed objects, in memory; thin-pack bases resolve from this repository only.

    Args:
        repository: This wiki's own object store (never a cache shared with other wikis).
        max_bytes: Refuse a pack whose objects inflate past this (a small pack of highly
            compressible data could otherwise fill memory).
    """

    def __init__(self, repository: BaseObjectStore, max_bytes: int = 256 * 1024 * 1024):
        super().__init__()
        self.repository = repository
        self.max_bytes = max_bytes
        self.inflated = 0

    def add_object(self, obj: ShaFile) -> None:
        """Keep one unpacked object, counting its size against `max_bytes`."""
        self.inflated += obj.raw_length()
        if self.inflated > self.max_bytes:
            raise Refused(
                "pack too large when unpacked",
                f"the pushed objects unpack to more than {self.max_bytes:,} bytes.",
            )
        super().add_object(obj)

    def get_raw(self, name: bytes) -> tuple[int, bytes]:
        """Raw object from the pack, else from the repository (delta bases of a thin pack)."""
        try:
            return super().get_raw(name)
        except KeyError:
            return self.repository.get_raw(name)

    def local(self, sha: bytes) -> ShaFile | None:
        """The pushed object with this id, or None if the pack does not hold it."""
        found = self._data.get(sha)
        return found


@dataclass
class Checked:
    """The result of a successful check: which pushed objects the new head needs."""

    needed: dict[bytes, ShaFile] = field(default_factory=dict)
    commits: int = 0


class _Walk:
    def __init__(self, pack: Quarantine, repository: BaseObjectStore, limits: Limits):
        self.pack = pack
        self.repository = repository
        self.limits = limits
        self.result = Checked()

    # -- objects -------------------------------------------------------------------------------

    def known(self, sha: bytes) -> bool:
        # Objects in this repository were complete when they were stored (the store writes
        # blobs before trees before commits; pushes are checked here first).
        return sha in self.repository

    def new(
        self, sha: bytes, kind: type[ShaFile], where: str, *, check: bool = True
    ) -> ShaFile | None:
        """The pushed object `sha` (format-checked), None if the repository has it already."""
        if sha in self.result.needed:
            return self.result.needed[sha]
        obj = self.pack.local(sha)
        if obj is None:
            if self.known(sha):
                return None
            raise Refused(
                "missing objects",
                f"{where} references object {sha.decode()} which is neither in the push nor "
                "in this wiki; push from a clone of this wiki (git pull first).",
            )
        if not isinstance(obj, kind):
            raise Refused(
                "bad object type",
                f"{where} expects a {kind.type_name.decode()} but {sha.decode()} is a "
                f"{obj.type_name.decode()}.",
            )
        if check:
            self.format_check(obj, where)
        self.result.needed[sha] = obj
        return obj

    def format_check(self, obj: ShaFile, where: str) -> None:
        try:
            obj.check()
        except ObjectFormatException as exc:
            raise Refused("malformed object", f"{where}: object {obj.id.decode()}: {exc}") from exc

    def load(self, sha: bytes) -> ShaFile:
        obj = self.pack.local(sha)
        return obj if obj is not None else self.repository[sha]

    # -- commits -------------------------------------------------------------------------------

    def new_commits(self, tip: bytes) -> list[Commit]:
        """Pushed commits reachable from `tip` that the repository lacks, parents first."""
        order: list[Commit] = []
        state: dict[bytes, bool] = {}  # False: entered, True: done
        stack: list[tuple[bytes, bool]] = [(tip, False)]
        while stack:
            sha, leaving = stack.pop()
            if leaving:
                state[sha] = True
                order.append(self.result.needed[sha])
                continue
            if sha in state:
                continue
            commit = self.new(sha, Commit, "the pushed branch")
            if commit is None:
                state[sha] = True
                continue
            state[sha] = False
            stack.append((sha, True))
            stack.extend((p, False) for p in reversed(commit.parents) if p not in state)
        return order

    def check_commit(self, commit: Commit) -> None:
        where = f"commit {commit.id.decode()[:12]}"
        try:
            rules.check_message(commit.message.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise Refused("bad commit message", f"{where}: message is not UTF-8.") from exc
        except InvalidInput as exc:
            raise Refused("bad commit message", f"{where}: {exc}") from exc
        base = None
        if commit.parents:
            base = self.load(commit.parents[0]).tree
        self.check_tree(commit.tree, base, "", where)

    # -- trees ---------------------------------------------------------------------------------

    def check_tree(self, sha: bytes, base: bytes | None, prefix: str, where: str) -> None:
        """Check what tree `sha` adds or changes relative to tree `base` (None: nothing)."""
        if sha == base:
            return
        # Format-checked after the entries, so a bad name gets the rules' clearer message.
        pushed = self.new(sha, Tree, where, check=False)
        tree = self.load(sha)
        old = {e.path: (e.mode, e.sha) for e in self.load(base).iteritems()} if base else {}
        for entry in tree.iteritems():
            try:
                name = entry.path.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise Refused(
                    "bad path", f"{where}: a file name under {prefix!r} is not UTF-8."
                ) from exc
            path = prefix + name
            before = old.pop(entry.path, None)
            if before == (entry.mode, entry.sha):
                continue
            try:
                rules.check_path(path)
                if entry.mode == DIR_MODE:
                    prior = before[1] if before and before[0] == DIR_MODE else None
                    self.check_tree(entry.sha, prior, path + "/", where)
                    continue
                rules.check_mode(path, entry.mode)
                self.new(entry.sha, Blob, f"{where} ({path})")
                rules.check_path_change(path, self.load(entry.sha).as_raw_string(), self.limits)
            except InvalidInput as exc:
                raise Refused("rule violated", f"{where}: {exc}") from exc
        if pushed is not None:
            self.format_check(pushed, where)
        for gone, (mode, _) in old.items():
            path = prefix + gone.decode("utf-8", "replace")
            try:
                if mode != DIR_MODE:
                    rules.check_path_change(path, None, self.limits)
            except InvalidInput as exc:
                raise Refused("rule violated", f"{where}: {exc}") from exc

    # -- usage ---------------------------------------------------------------------------------

    def usage(self, old: bytes | None, new: bytes | None, prefix: str = "") -> tuple[int, int]:
        """(pages, bytes) that tree `new` adds over tree `old` (negative when it removes)."""
        if old == new:
            return 0, 0
        before = {e.path: (e.mode, e.sha) for e in self.load(old).iteritems()} if old else {}
        after = {e.path: (e.mode, e.sha) for e in self.load(new).iteritems()} if new else {}
        pages = size = 0
        for name in before.keys() | after.keys():
            a, b = before.get(name), after.get(name)
            if a == b:
                continue
            path = prefix + name.decode("utf-8", "replace")
            a_dir = a[1] if a and a[0] == DIR_MODE else None
            b_dir = b[1] if b and b[0] == DIR_MODE else None
            if a_dir or b_dir:
                p, n = self.usage(a_dir, b_dir, path + "/")
                pages, size = pages + p, size + n
            page = names.is_page_file(path)
            for side, sign in ((a, -1), (b, 1)):
                if side and side[0] != DIR_MODE:
                    pages += sign * page
                    size += sign * len(self.load(side[1]).as_raw_string())
        return pages, size

    # -- history -------------------------------------------------------------------------------

    def ancestors(self, tip: bytes) -> Iterator[bytes]:
        seen = {tip}
        pending = [tip]
        while pending:
            sha = pending.pop()
            yield sha
            for parent in self.load(sha).parents:
                if parent not in seen:
                    seen.add(parent)
                    pending.append(parent)


def usage_change(
    pack: Quarantine, repository: BaseObjectStore, old: bytes, new: bytes
) -> tuple[int, int]:
    """(pages, bytes) the push from commit `old` to commit `new` adds to the wiki."""
    walk = _Walk(pack, repository, Limits())
    old_tree = walk.load(old).tree if old != ZERO else None
    return walk.usage(old_tree, walk.load(new).tree)


def check_push(
    pack: Quarantine,
    repository: BaseObjectStore,
    old: bytes,
    new: bytes,
    limits: Limits,
) -> Checked:
    """Check a push of `main` from `old` (the head the client saw) to `new`.

    Raises:
        Refused: With the first problem found, oldest commit first.
    """
    walk = _Walk(pack, repository, limits)
    commits = walk.new_commits(new)
    for commit in commits:
        walk.check_commit(commit)
    if old != ZERO and old not in walk.ancestors(new):
        raise Refused(
            "force push refused",
            "the new head does not contain the current one (a force push or a rewritten "
            "history); history is the audit trail. Run `git pull` and push again.",
        )
    walk.result.commits = len(commits)
    return walk.result
