"""Backlinks from a snapshot's inverted link map agree with a scan, before and after commits."""

from __future__ import annotations

import random

from wikibot.store.deltas import Delta
from wikibot.store.headindex import Snapshot, _applied

PAGES = [f"P{i}.md" for i in range(30)]


def scan(snap: Snapshot, target: str) -> set[str]:
    return {s for s, targets in snap.links.items() if target in targets and s != target}


def test_inverted_and_inherited_backlinks_match_a_scan():
    rng = random.Random(7)
    links = {p: sorted(rng.sample(PAGES, 4)) for p in PAGES}
    snap = Snapshot("c0", ["c0"], {p: [0] for p in PAGES}, links)
    for _ in range(3):  # enough questions to invert the map
        snap.backlinks("P1.md")
    assert snap._backlinks is not None
    for n in range(1, 60):
        delta_links: dict[str, list[str] | None] = {}
        for page in rng.sample(PAGES, 3):
            delta_links[page] = None if rng.random() < 0.2 else sorted(rng.sample(PAGES, 3))
        old = snap
        old_answers = {t: set(old.backlinks(t)) for t in PAGES}
        snap = _applied(snap, f"c{n}", Delta(sorted(delta_links), delta_links))
        assert snap._backlinks is not None  # carried over, not rebuilt
        for target in PAGES:
            assert snap.backlinks(target) == scan(snap, target)
            assert old.backlinks(target) == old_answers[target]  # the old snapshot is untouched
    assert snap.linked() == {t for t in PAGES if scan(snap, t)}
