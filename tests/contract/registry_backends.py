"""Registry implementations under contract test.

Each implementation is a `Backend`: it opens registries over one shared storage (so a test can
reopen, or open with another token key) and can dump that storage's raw bytes (so a test can
prove a secret is never stored). The DynamoDB backend talks HTTP to a moto server on loopback
that the test session starts (`moto_endpoint`); every test in test_registry.py runs on both.
"""

from __future__ import annotations

import json
import uuid
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


def _sqlite(tmp_path: Path, endpoint: Callable[[], str]) -> Backend:
    path = tmp_path / "registry.db"

    def raw() -> bytes:
        # The main file plus WAL and shared-memory files: a secret must be in none of them.
        return b"".join(p.read_bytes() for p in sorted(tmp_path.glob("registry.db*")))

    return Backend(
        open=lambda token_key, clock: SqliteRegistry(path, token_key, clock=clock),
        raw_bytes=raw,
    )


def _dynamodb(tmp_path: Path, endpoint: Callable[[], str]) -> Backend:
    import boto3

    from wikibot.registry.dynamodb import DynamoRegistry

    url = endpoint()
    table = f"wikibot-{uuid.uuid4().hex[:12]}"  # one table per test: no shared state

    def open_(token_key: str, clock: Clock) -> Registry:
        return DynamoRegistry(
            table, token_key, clock=clock, endpoint_url=url, region="us-east-1", create_table=True
        )

    def raw() -> bytes:
        client = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1")
        items = client.scan(TableName=table)["Items"]
        client.close()
        return json.dumps(items).encode()

    return Backend(open=open_, raw_bytes=raw)


BACKENDS = {"sqlite": _sqlite, "dynamodb": _dynamodb}
