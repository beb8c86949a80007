"""Plan limits: wikis per user (management API), pages and bytes per wiki (provision.check_room)."""

from __future__ import annotations

import pytest

from wikibot import provision
from wikibot.errors import LimitExceeded, http_status
from wikibot.registry.sqlite import SqliteRegistry
from wikibot.settings import Settings


@pytest.fixture
def setup(tmp_path):
    settings = Settings(
        data_root=tmp_path, token_key="t" * 40, plan_max_pages=5, plan_max_wiki_bytes=10_000
    )
    reg = SqliteRegistry(tmp_path / "r.db", settings.token_key)
    reg.create_user("alice")
    wiki = provision.create_wiki(settings, reg, "alice", "notes")
    yield settings, reg, wiki
    reg.close()


def test_new_wiki_records_its_starter_pages(setup):
    _, reg, wiki = setup
    assert wiki.page_count == 3 and 0 < wiki.bytes < 10_000
    assert reg.get_wiki("alice", "notes") == wiki


def test_pages_and_bytes_limits(setup):
    settings, reg, wiki = setup
    provision.check_room(settings, wiki, add_pages=2, add_bytes=100)
    with pytest.raises(LimitExceeded, match="plan allows 5") as err:
        provision.check_room(settings, wiki, add_pages=3)
    assert http_status(err.value) == 409
    with pytest.raises(LimitExceeded, match="10,000"):
        provision.check_room(settings, wiki, add_bytes=10_000)
    # Shrinking is always allowed, even past a limit lowered after the fact.
    full = provision.record_usage(reg, "alice", "notes", 9, 50_000)
    provision.check_room(settings, full, add_pages=-1, add_bytes=-10)
    with pytest.raises(LimitExceeded):
        provision.check_room(settings, full, add_bytes=1)
