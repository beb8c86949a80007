import pytest

import provider_schema


@pytest.fixture(scope="session")
def aws_schema() -> dict:
    """The AWS provider schema (downloaded and reduced once, then read from .cache/infra)."""
    return provider_schema.load()
