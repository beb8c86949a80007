"""Atomic private writes: mode 0600 from the first byte, and no partial file ever visible."""

from __future__ import annotations

import os
import stat

from wikibot.files import ensure_private_dir, write_private


def test_write_private_creates_an_owner_only_file_and_replaces_it_whole(tmp_path):
    target = tmp_path / "sub" / "secret.json"
    os.umask(0o022)
    write_private(target, b"one")
    assert target.read_bytes() == b"one"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    target.chmod(0o644)  # even a file that was world-readable becomes private on rewrite
    write_private(target, b"two")
    assert target.read_bytes() == b"two"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["secret.json"]  # no temp file left


def test_ensure_private_dir_is_owner_only(tmp_path):
    folder = ensure_private_dir(tmp_path / "a" / "b")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
