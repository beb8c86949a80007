"""The raw-rows tree writer gives exactly the trees dulwich's `commit_tree_changes` gives."""

from __future__ import annotations

import random
import stat

import pytest
from dulwich.object_store import MemoryObjectStore, commit_tree_changes
from dulwich.objects import Blob, Tree, parse_tree

from wikibot.store import trees
from wikibot.store.trees import TreeWriter

FILE = 0o100644
# Names whose git order differs from plain name order once folders sort as "name/".
NAMES = [b"a", b"a.b", b"a-b", b"a0", b"b", b"Topic 1.md", b"Topic 10.md", b"\xc3\xa9t\xc3\xa9.md"]


class Pair:
    """One dulwich memory store, and a TreeWriter writing into the same store."""

    def __init__(self):
        self.store = MemoryObjectStore()
        self.identity = ("test", random.random())  # a fresh cache key space per test

    def body(self, sha: bytes) -> bytes:
        return self.store[sha].as_raw_string()

    def put(self, kind: bytes, body: bytes) -> bytes:
        obj = {b"tree": Tree, b"blob": Blob}[kind].from_string(body)
        self.store.add_object(obj)
        return obj.id

    def writer(self) -> TreeWriter:
        return TreeWriter(self.identity, self.body, self.put)

    def blob(self, text: bytes) -> bytes:
        return self.put(b"blob", text)

    def dulwich(self, tree: bytes, changes) -> bytes:
        base = Tree.from_string(self.store[tree].as_raw_string()) if tree else Tree()
        return commit_tree_changes(self.store, base, changes)


def random_changes(rng: random.Random, pair: Pair, existing: list[bytes]) -> list:
    changes, seen = [], set()
    for _ in range(rng.randint(1, 6)):
        if existing and rng.random() < 0.3:
            path = rng.choice(existing)
            if path not in seen:
                seen.add(path)
                changes.append((path, None, None))
            continue
        depth = rng.randint(1, 3)
        path = b"/".join(rng.choice(NAMES) for _ in range(depth))
        if any(path.startswith(p + b"/") or p.startswith(path + b"/") for p in seen | {path}):
            continue  # the same name as file and folder in one change set: covered below
        if any(path.startswith(p + b"/") or p.startswith(path + b"/") for p in existing):
            continue
        seen.add(path)
        changes.append((path, FILE, pair.blob(rng.randbytes(8))))
    return changes


def files_of(pair: Pair, tree: bytes, prefix: bytes = b"") -> list[bytes]:
    out = []
    for name, mode, sha in parse_tree(pair.body(tree), sha_len=20):
        if stat.S_ISDIR(mode):
            out += files_of(pair, sha, prefix + name + b"/")
        else:
            out.append(prefix + name)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_random_change_sets_match_dulwich(seed):
    rng = random.Random(seed)
    pair = Pair()
    ours = theirs = b""
    for _ in range(8):
        changes = random_changes(rng, pair, files_of(pair, ours) if ours else [])
        theirs = pair.dulwich(theirs, changes)
        ours = pair.writer().write(ours or None, changes)
        assert ours == theirs


def test_deleting_the_last_file_of_a_folder_drops_the_folder():
    pair = Pair()
    blob = pair.blob(b"x")
    tree = pair.writer().write(None, [(b"a/b/c.md", FILE, blob), (b"d.md", FILE, blob)])
    after = pair.writer().write(tree, [(b"a/b/c.md", None, None)])
    assert files_of(pair, after) == [b"d.md"]
    assert after == pair.dulwich(tree, [(b"a/b/c.md", None, None)])


def test_empty_root_is_still_written():
    pair = Pair()
    tree = pair.writer().write(None, [(b"only.md", FILE, pair.blob(b"x"))])
    empty = pair.writer().write(tree, [(b"only.md", None, None)])
    assert pair.body(empty) == b""


def test_a_file_replaces_a_folder_of_the_same_name_and_back():
    pair = Pair()
    blob = pair.blob(b"x")
    tree = pair.writer().write(None, [(b"a/inner.md", FILE, blob), (b"a.b", FILE, blob)])
    as_file = pair.writer().write(tree, [(b"a", FILE, blob)])
    assert as_file == pair.dulwich(tree, [(b"a", FILE, blob)])
    # dulwich refuses this one (it asserts the old entry is a tree); the file gives way.
    as_folder = pair.writer().write(as_file, [(b"a/x.md", FILE, blob)])
    assert files_of(pair, as_folder) == [b"a.b", b"a/x.md"]


def test_entry_maps_of_written_trees_match_a_fresh_parse():
    pair = Pair()
    blob = pair.blob(b"x")
    base = pair.writer().write(None, [(b"Topic %d.md" % i, FILE, blob) for i in range(50)])
    trees.ENTRIES.get_or_make((pair.identity, base), lambda: _parsed(pair, base))
    new = pair.writer().write(base, [(b"Topic 7.md", None, None), (b"New/Page.md", FILE, blob)])
    seeded = trees.ENTRIES.peek((pair.identity, new))
    assert seeded is not None
    assert seeded == _parsed(pair, new)


def _parsed(pair: Pair, tree: bytes) -> dict:
    return {name: (mode, sha) for name, mode, sha in parse_tree(pair.body(tree), sha_len=20)}
