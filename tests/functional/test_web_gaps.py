"""Otterwiki features that read a work tree or git's rename tracking, on the store (no work tree).

Through the wiki Lambda handler, one warm process like test_web_handler.py; the store is written
and read back directly (an agent over MCP uses the same store).
"""

from __future__ import annotations

import re

from test_web_handler import AGENT, WebClient, env, form_value  # noqa: F401 - env is a fixture

from wikibot.provision import create_wiki


def cells(page: str) -> list[str]:
    return re.findall(r"<td>([^<]*)</td>", page)


def test_a_datatable_shows_a_csv_attachment_read_from_the_store(env):  # noqa: F811
    store, owner = env.store(), env.browser("alice")
    store.write("Scores", "# Scores\n\n{{datatable\n|src=scores.csv\n|caption=Season\n}}\n", AGENT)
    store.put_attachment("Scores", "scores.csv", b"Name;Points\nAda;12\nGr\xc3\xa4ce;7\n", AGENT)
    r = owner.get("/alice/notes/Scores")
    assert r.status == 200
    assert cells(r.text) == ["Ada", "12", "Gräce", "7"]
    assert "<th>Name</th><th>Points</th>" in r.text
    # From another page, by absolute path; the table follows the attachment's new content.
    store.write("Summary", "# Summary\n\n{{datatable\n|src=/Scores/scores.csv\n}}\n", AGENT)
    store.put_attachment("Scores", "scores.csv", b"Name;Points\nAda;13\n", AGENT)
    assert cells(owner.get("/alice/notes/Summary").text) == ["Ada", "13"]
    # A missing attachment is Otterwiki's own message, not a server error.
    store.write("Broken", "# Broken\n\n{{datatable\n|src=nothing.csv\n}}\n", AGENT)
    broken = owner.get("/alice/notes/Broken")
    assert broken.status == 200 and 'csv attachment "nothing.csv" not found' in broken.text


def test_history_of_a_renamed_page_shows_its_commits_before_the_rename(env):  # noqa: F811
    store, owner = env.store(), env.browser("alice")
    store.write("Draft Plan", "# Plan\n\nfirst draft\n", AGENT, message="first draft")
    first = store.history("Draft Plan", 1)[0].id
    text = "# Plan\n\nfirst draft\nsecond thought\n"
    store.write("Draft Plan", text, AGENT, message="second", revision=first)
    # Renamed in the UI (Otterwiki's rename: one commit moving the file).
    csrf = form_value(owner.get("/alice/notes/Draft Plan/rename").text, "csrf_token")
    form = {"new_pagename": "Final Plan", "message": "promote", "csrf_token": csrf}
    assert owner.post("/alice/notes/Draft Plan/rename", form).status == 302
    owner.save("/alice/notes/Final Plan", "# Plan\n\nfirst draft\nsecond thought\nfinal\n", "final")
    history = owner.get("/alice/notes/Final Plan/history")
    assert history.status == 200
    for message in ("final", "promote", "second", "first draft"):
        assert message in history.text, message
    # The old revision opens under the page's current name, and diffs across the rename work.
    old = owner.get(f"/alice/notes/Final Plan/view/{first[:6]}")
    assert old.status == 200 and "first draft" in old.text and "second thought" not in old.text
    head = store.history("Final Plan", 1)[0].id
    diff = owner.get(f"/alice/notes/Final Plan/diff/{first[:6]}/{head[:6]}")
    assert diff.status == 200 and "second thought" in diff.text and "final" in diff.text


def test_history_follows_a_rename_by_an_agent_and_a_recreated_name_keeps_its_own(env):  # noqa: F811
    store, owner = env.store(), env.browser("alice")
    store.write("Old Notes", "# Notes\n\n" + "".join(f"line {i}\n" for i in range(20)), AGENT)
    before = store.history("Old Notes", 1)[0].id
    # An agent renames; the store rewrites nothing in the page, then the text changes.
    store.rename("Old Notes", "New Notes", AGENT)
    moved = store.read("New Notes")
    store.write("New Notes", moved.text + "line 20\n", AGENT, revision=moved.revision)
    edited = store.history("New Notes", 1)[0].id
    assert before[:6] in owner.get("/alice/notes/New Notes/history").text
    # A new page under the old name: its own commit, then the name's earlier life as git shows
    # it (`git log --follow` keeps the path), never the moved page's later edits.
    store.write("Old Notes", "# Something else\n", AGENT)
    recreated = store.history("Old Notes", 1)[0].id
    fresh = owner.get("/alice/notes/Old Notes/history").text
    assert recreated[:6] in fresh and before[:6] in fresh
    assert edited[:6] not in fresh


def test_anonymous_readers_of_a_public_wiki_are_offered_the_platform_sign_in(env):  # noqa: F811
    create_wiki(env.settings, env.registry, "alice", "shared", "Shared Notes")
    env.registry.update_wiki("alice", "shared", public=True)
    anonymous = WebClient(env.handler)
    page = anonymous.get("/alice/shared/Home")
    assert page.status == 200
    assert "/-/login" not in page.text  # Otterwiki's login is off in platform mode
    # Everything READ does not allow leads to the platform's sign-in, coming back afterwards.
    for path, back in (
        ("/alice/shared/Home/edit", "/alice/shared/Home/edit"),
        ("/alice/shared/-/settings", "/alice/shared/-/settings"),
        ("/alice/shared/Home/rename", "/alice/shared/Home/rename"),
    ):
        r = anonymous.get(path)
        assert r.status == 401, path
        assert f'href="/auth/login?next={back}"' in r.text, path
    r = anonymous.post("/alice/shared/Home/save", {"content": "x"})
    assert r.status == 401 and 'href="/auth/login?next=/alice/shared/"' in r.text
    # Signed-in members keep their roles: the viewer is refused, not asked to sign in.
    env.registry.put_member("alice", "shared", "victor", "viewer")
    viewer = env.browser("victor")
    assert viewer.get("/alice/shared/Home/edit").status == 403
    assert viewer.post("/alice/shared/Home/save", {"content": "x"}).status == 403
    assert env.browser("alice").get("/alice/shared/Home/edit").status == 200
