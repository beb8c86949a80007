import provider_schema
import pytest


@pytest.fixture(scope="session")
def aws_schema() -> dict:
    """The AWS provider schema (downloaded and reduced once, then read from .cache/infra)."""
    return provider_schema.load()
