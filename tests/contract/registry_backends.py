"""Registry implementations under contract test.

Each implementation is a `Backend`: it opens registries over one shared storage (so a test can
reopen, or open with another token key) and can dump that storage's raw bytes (so a test can
prove a secret is never stored). Add the DynamoDB adapter (moto server) to `BACKENDS` when it
lands; every test in test_registry.py then runs against it too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from wikibot.registry import Registry
from wikibot.registry.sqlite import SqliteRegistry

KEY = "test-token-key-0123456789abcdef"


class Clock:
    """A settable UTC clock so tests can step over the last-used granularity."""

    def __init__(self) -> None:
        self.now = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Backend:
    """Opens registries over one storage location and exposes its raw bytes."""

    open: Callable[..., Registry]
    raw_bytes: Callable[[], bytes]
    clock: Clock = field(default_factory=Clock)
    opened: list[Registry] = field(default_factory=list)

    def make(self, token_key: str = KEY) -> Registry:
        reg = self.open(token_key=token_key, clock=self.clock)
        self.opened.append(reg)
        return reg


def _sqlite(tmp_path: Path) -> Backend:
    path = tmp_path / "registry.db"

    def raw() -> bytes:
        # The main file plus WAL and shared-memory files: a secret must be in none of them.
        return b"".join(p.read_bytes() for p in sorted(tmp_path.glob("registry.db*")))

    return Backend(
        open=lambda token_key, clock: SqliteRegistry(path, token_key, clock=clock),
        raw_bytes=raw,
    )


BACKENDS = {"sqlite": _sqlite}
