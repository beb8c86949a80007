"""receive-pack with a quarantine: a push lands whole, checked, by compare-and-set, or not at all.

dulwich's `ReceivePackHandler` writes the pack straight into the repository and moves any ref.
Here the pack is parsed into memory (`verify.Quarantine`), checked (`verify.check_push`), and
only then are the objects the new head needs written and `main` moved from the old id the
client sent to the new one with compare-and-set. A concurrent MCP or web write that moved
`main` first makes the push lose cleanly ("fetch first"): the client pulls and pushes again,
and neither side's commit is lost.
"""

from __future__ import annotations

import logging
import random
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from dulwich.errors import ApplyDeltaError, ChecksumMismatch
from dulwich.file import FileLocked
from dulwich.objects import ObjectFormatException
from dulwich.protocol import (
    CAPABILITY_DELETE_REFS,
    CAPABILITY_OFS_DELTA,
    CAPABILITY_QUIET,
    CAPABILITY_REPORT_STATUS,
    CAPABILITY_SIDE_BAND_64K,
    SIDE_BAND_CHANNEL_PROGRESS,
    capability_object_format,
)
from dulwich.server import ReceivePackHandler

from wikibot.errors import LimitExceeded
from wikibot.githttp import wire
from wikibot.githttp.verify import ZERO, Quarantine, Refused, check_push, usage_change
from wikibot.settings import Limits
from wikibot.store.locks import WriterLocks

log = logging.getLogger("wikibot.githttp")

BRANCH = b"refs/heads/main"
# Errors dulwich raises for a pack that cannot be parsed or whose delta bases are missing.
_PACK_ERRORS = (
    OSError,
    ChecksumMismatch,
    ApplyDeltaError,
    AssertionError,
    zlib.error,
    ObjectFormatException,
    KeyError,
    ValueError,
)


class GuardedReceivePack(ReceivePackHandler):
    """receive-pack for one wiki: only fast-forwards of `main`, each commit checked.

    Args:
        backend: dulwich backend that opens this wiki's repository.
        args: `[path]` for the backend.
        proto: The protocol over the request and response bodies.
        limits: The store's size limits (for the write rules).
        body_bytes: Size of the request body, to refuse a push over `max_transfer_bytes`.
        max_transfer_bytes: Largest push one request may carry.
        quota: Called with the (pages, bytes) a push adds before it lands, and with
            `landed=True` after; it raises `LimitExceeded` to refuse the push.
    """

    def __init__(
        self,
        backend: object,
        args: Sequence[str],
        proto: object,
        *,
        limits: Limits,
        body_bytes: int = 0,
        max_transfer_bytes: int,
        quota: Callable[..., None] | None = None,
        stateless_rpc: bool = True,
        advertise_refs: bool = False,
    ):
        super().__init__(backend, args, proto, stateless_rpc, advertise_refs)
        self.limits = limits
        self.body_bytes = body_bytes
        self.max_transfer_bytes = max_transfer_bytes
        self.quota = quota
        self.landed: bytes | None = None

    def capabilities(self) -> list[bytes]:
        """delete-refs so a deletion reaches us and is refused with a reason; no atomic."""
        return [
            CAPABILITY_REPORT_STATUS,
            CAPABILITY_DELETE_REFS,
            CAPABILITY_QUIET,
            CAPABILITY_OFS_DELTA,
            CAPABILITY_SIDE_BAND_64K,
            capability_object_format(self.repo.object_format.name),
        ]

    # Repository hooks are never run: the checks below are the policy.
    def _on_pre_receive(self, client_refs: object) -> None:
        return None

    def _on_update(self, ref_name: bytes, old_sha: bytes, new_sha: bytes) -> bytes | None:
        return None

    def _on_post_receive(self, client_refs: object) -> None:
        return None

    def say(self, message: str) -> None:
        """Send `remote: ...` lines to the pushing client (if it accepts side-band)."""
        if self.has_capability(CAPABILITY_SIDE_BAND_64K):
            for line in message.splitlines() or [""]:
                data = ("wikibot: " + line + "\n").encode("utf-8", "replace")[:65000]
                self.proto.write_sideband(SIDE_BAND_CHANNEL_PROGRESS, data)

    def _apply_pack(self, refs: list[tuple[bytes, bytes, bytes]]) -> Iterator[tuple[bytes, bytes]]:
        try:
            old, new = self._check_commands(refs)
        except Refused as refusal:
            yield from self._refuse(refs, refusal, unpacked=True)
            return
        pack = Quarantine(self.repo.object_store)
        try:
            pack.add_thin_pack(self.proto.read, getattr(self.proto, "recv", None))
        except _PACK_ERRORS as exc:
            refusal = Refused("unreadable pack", f"the pack could not be read: {exc}")
            yield from self._refuse(refs, refusal, unpacked=False)
            return
        except Refused as refusal:
            yield from self._refuse(refs, refusal, unpacked=False)
            return
        try:
            checked = check_push(pack, self.repo.object_store, old, new, self.limits)
            added = usage_change(pack, self.repo.object_store, old, new)
            if self.quota:
                self.quota(*added)
            self._land(list(checked.needed.values()), old, new)
            if self.quota:
                self.quota(*added, landed=True)
        except LimitExceeded as exc:
            yield from self._refuse(refs, Refused("over the plan's limit", str(exc)), unpacked=True)
            return
        except Refused as refusal:
            yield from self._refuse(refs, refusal, unpacked=True)
            return
        self.landed = new
        yield (b"unpack", b"ok")
        yield (BRANCH, b"ok")

    def _check_commands(self, refs: list[tuple[bytes, bytes, bytes]]) -> tuple[bytes, bytes]:
        """The (old, new) of the one allowed command: a non-deleting update of `main`."""
        if self.body_bytes > self.max_transfer_bytes:
            raise Refused(
                "push too large",
                wire.too_large_push_message(self.body_bytes, self.max_transfer_bytes),
            )
        others = [r for _, _, r in refs if r != BRANCH]
        if others:
            names = ", ".join(r.decode("utf-8", "replace") for r in others)
            raise Refused(
                "only main can be pushed",
                f"this wiki has one branch, main; {names} cannot be pushed. "
                "Push with `git push origin HEAD:main`.",
            )
        if len(refs) != 1:
            raise Refused("one update of main per push", "send one update of main per push.")
        old, new, _ = refs[0]
        if new == ZERO:
            raise Refused(
                "deleting main is refused",
                "main cannot be deleted: history is the audit trail.",
            )
        return old, new

    def _refuse(
        self, refs: list[tuple[bytes, bytes, bytes]], refusal: Refused, *, unpacked: bool
    ) -> Iterator[tuple[bytes, bytes]]:
        log.info("push refused: %s", refusal.detail)
        self.say("push refused, nothing was changed: " + refusal.detail)
        reason = refusal.reason.encode("utf-8", "replace")
        yield (b"unpack", b"ok" if unpacked else reason)
        for _, _, ref in refs:
            yield (ref, reason)

    def _land(self, objects: list, old: bytes, new: bytes) -> None:
        """Store the checked objects, then move `main` from `old` to `new` (compare-and-set)."""
        # Inside the store's writers' lock, so no MCP or web writer takes main's lock, held
        # here for milliseconds, for a dead writer's (wikibot.store.locks).
        with WriterLocks(Path(self.repo.path)).writing():
            self._land_locked(objects, old, new)

    def _land_locked(self, objects: list, old: bytes, new: bytes) -> None:
        store = self.repo.object_store
        missing = [(obj, None) for obj in objects if obj.id not in store]
        if missing:
            store.add_objects(missing)
        refs = self.repo.refs
        deadline = time.monotonic() + 5.0
        while True:
            try:
                if refs.set_if_equals(BRANCH, old, new):
                    return
                break
            except FileLocked:
                # Another writer holds main's lock for a few milliseconds; wait while main still
                # names the commit the client built on.
                if refs.read_ref(BRANCH) != old or time.monotonic() > deadline:
                    break
                time.sleep(random.uniform(0.002, 0.01))
        raise Refused(
            "fetch first",
            "the wiki changed while you were pushing (another writer, e.g. MCP or the web UI, "
            "committed first). Run `git pull` and push again; nothing of yours was lost.",
        )
