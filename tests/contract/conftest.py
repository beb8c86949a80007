"""Fixtures that run the registry contract against every backend in `BACKENDS`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from registry_backends import BACKENDS, Backend

from wikibot.registry import Registry


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    b = BACKENDS[request.param](tmp_path)
    yield b
    for reg in b.opened:
        close = getattr(reg, "close", None)
        if close:
            close()


@pytest.fixture
def reg(backend: Backend) -> Registry:
    return backend.make()
