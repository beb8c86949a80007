"""Fixtures that run the registry contract against every backend in `BACKENDS`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from registry_backends import BACKENDS, Backend

from wikibot.registry import Registry


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A moto server (DynamoDB over real HTTP) on 127.0.0.1 at a free port, for the session."""
    from moto.server import ThreadedMotoServer

    # Fake credentials for the fake server; boto3 refuses to sign without some.
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    b = BACKENDS[request.param](tmp_path, lambda: request.getfixturevalue("moto_endpoint"))
    yield b
    for reg in b.opened:
        close = getattr(reg, "close", None)
        if close:
            close()


@pytest.fixture
def reg(backend: Backend) -> Registry:
    return backend.make()
