"""The operator's CLI for tenancy: users, wikis, members and tokens on one data folder."""

from __future__ import annotations

import json

import pytest

from wikibot.cli import main


def run(capsys, *args: str) -> object:
    code = main([*args, "--json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def fail(capsys, *args: str) -> str:
    assert main(list(args)) == 2
    return capsys.readouterr().err


def test_members_tokens_and_wikis(tmp_path, capsys):
    d = ("--data", str(tmp_path))
    run(capsys, "user", "create", "alice", *d)
    run(capsys, "user", "create", "bob", "--email", "bob@example.com", *d)
    wiki = run(capsys, "wiki", "create", "alice", "notes", "--public", *d)
    assert wiki["public"] is True and wiki["page_count"] == 3
    assert (
        run(capsys, "member", "add", "alice/notes", "bob@example.com", "--role", "editor", *d)[
            "role"
        ]
        == "editor"
    )
    rows = run(capsys, "member", "list", "alice/notes", *d)
    assert rows == [
        {"user": "alice", "role": "owner", "owner": True},
        {"user": "bob", "role": "editor", "owner": False},
    ]
    token = run(capsys, "token", "create", "bob", "alice/notes", "--name", "laptop", *d)
    assert token["secret"].startswith("wbt_") and token["user_id"] == "bob"
    removed = run(capsys, "member", "remove", "alice/notes", "bob", *d)
    assert removed == {"removed": "bob", "tokens_revoked": 1}
    assert "no access" in fail(capsys, "token", "create", "bob", "alice/notes", *d)
    assert "does not exist" in fail(capsys, "member", "add", "alice/notes", "ghost", *d)
    assert "not a member" in fail(capsys, "member", "remove", "alice/notes", "bob", *d)
    with pytest.raises(SystemExit):
        main(["member", "list", "notes", *d])  # OWNER/SLUG required
    capsys.readouterr()
    run(capsys, "wiki", "delete", "alice", "notes", "--yes", *d)
    assert run(capsys, "wiki", "list", "alice", *d) == []


@pytest.mark.parametrize("command", ["member", "wiki", "token", "user"])
def test_every_tenancy_command_has_help(capsys, command):
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    assert "usage: wikibot" in capsys.readouterr().out
