"""upload-pack (clone, fetch) that tolerates `main` moving between git's two HTTP requests.

Smart HTTP is stateless: git reads the ref advertisement (GET info/refs), then asks for the
commits it saw there (POST git-upload-pack). If an MCP or web write moves `main` in between,
dulwich refuses the now-older commit ("Client wants invalid object") and `git pull` fails.
`git http-backend` accepts such a want when it is reachable from a ref; so does this: a wanted
commit that `main` still contains (history only grows, force pushes are refused) is served.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import dulwich.server
from dulwich.objects import Blob
from dulwich.pack import (
    UnpackedObject,
    deltas_from_sorted_objects,
    full_unpacked_object,
    sort_objects_for_delta,
    write_pack_data,
)
from dulwich.protocol import CAPABILITY_ALLOW_REACHABLE_SHA1_IN_WANT, Protocol
from dulwich.repo import Repo
from dulwich.server import UploadPackHandler

BRANCH = b"refs/heads/main"
# How far back from main a wanted commit may be: it was main a moment ago, so it is near the tip.
MAX_WALK = 10_000


_DELTAS = threading.Lock()


def write_pack_with_tree_deltas(
    write: Callable[[bytes], object],
    container: Any,
    object_ids: Sequence[tuple[bytes, Any]],
    object_format: Any,
    **_: Any,
) -> Any:
    """Write a pack whose trees and commits are deltas; blobs go whole, streamed first.

    A wiki's history is mostly near-identical root trees (one entry changes per commit), which
    deltas shrink ~15x; dulwich's delta search is pure Python, so large blobs (attachments,
    often already compressed) are left out of it.
    """
    ids = [oid for oid, _ in object_ids]

    def records() -> Iterator[UnpackedObject]:
        small = []
        for oid in ids:
            obj = container[oid]
            if obj.type_num == Blob.type_num:
                yield full_unpacked_object(obj)  # the size guard can stop a clone here
            else:
                small.append((obj, None))
        yield from deltas_from_sorted_objects(sort_objects_for_delta(small))

    return write_pack_data(write, records(), object_format, num_records=len(ids))


@contextlib.contextmanager
def deltified() -> Iterator[None]:
    """Within this block, upload-pack sends trees and commits as deltas.

    dulwich's `UploadPackHandler.handle` calls `write_pack_from_container` with no way to ask
    for deltas, so the name the handler looks up is rebound for the block. Another request
    running meanwhile in the same process (only in threaded test servers: Lambda runs one at a
    time) may get such a pack too, which is just as valid.
    """
    with _DELTAS:
        original = dulwich.server.write_pack_from_container
        dulwich.server.write_pack_from_container = write_pack_with_tree_deltas
        try:
            yield
        finally:
            dulwich.server.write_pack_from_container = original


def wanted(body: bytes) -> list[bytes]:
    """The object ids of the `want` lines at the start of an upload-pack request body."""
    proto = Protocol(io.BytesIO(body).read, lambda _: None)
    found = []
    try:
        while (line := proto.read_pkt_line()) is not None:
            if not line.startswith(b"want "):
                break
            found.append(line[5:45])
    except Exception:  # noqa: BLE001 - a malformed body is dulwich's to refuse, with its message
        return found
    return found


def reachable_from_main(repo: Repo, wants: list[bytes]) -> dict[bytes, bytes]:
    """Extra refs naming each wanted commit that is not a ref tip but is in main's history."""
    refs = repo.get_refs()
    missing = {w for w in wants if w not in refs.values()}
    head = refs.get(BRANCH)
    if not missing or head is None:
        return {}
    found: dict[bytes, bytes] = {}
    pending, seen = [head], {head}
    while pending and missing and len(seen) < MAX_WALK:
        sha = pending.pop()
        if sha in missing:
            missing.discard(sha)
            found[b"refs/wikibot/want-%d" % len(found)] = sha
        for parent in repo.object_store[sha].parents:
            if parent not in seen:
                seen.add(parent)
                pending.append(parent)
    return found


class _WithExtraRefs:
    """The repository as upload-pack sees it, plus refs for the reachable wants."""

    def __init__(self, repo: Repo, extra: Mapping[bytes, bytes]):
        self._repo = repo
        self._extra = dict(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repo, name)

    def find_missing_objects(self, determine_wants: Callable, *args: Any, **kwargs: Any) -> Any:
        def with_extra(refs: Mapping[bytes, bytes], depth: int | None = None) -> Any:
            return determine_wants({**refs, **self._extra}, depth)

        return self._repo.find_missing_objects(with_extra, *args, **kwargs)


class TolerantUploadPack(UploadPackHandler):
    """`UploadPackHandler` whose wants may be any commit in main's history.

    That covers a want that trailed `main` by a write, and lets a client fetch a large wiki one
    commit at a time (`git fetch origin <commit>`), each response under the transfer limit.
    """

    def __init__(
        self,
        backend: Any,
        args: list,
        proto: Protocol,
        *,
        body: bytes = b"",
        advertise_refs: bool = False,
    ):
        super().__init__(backend, args, proto, stateless_rpc=True, advertise_refs=advertise_refs)
        if not advertise_refs:
            extra = reachable_from_main(self.repo, wanted(body))
            if extra:
                self.repo = _WithExtraRefs(self.repo, extra)

    def capabilities(self) -> list[bytes]:
        """dulwich's, plus the promise that reachable commits may be asked for."""
        return [*super().capabilities(), CAPABILITY_ALLOW_REACHABLE_SHA1_IN_WANT]
