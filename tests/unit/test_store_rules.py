"""The one set of write rules shared by MCP, the web UI and git push (wikibot.store.rules)."""

from __future__ import annotations

import re

import pytest

from wikibot.errors import InvalidInput, TooLarge
from wikibot.settings import Limits
from wikibot.store import rules
from wikibot.store.rules import Kind

LIMITS = Limits(max_page_bytes=100, max_attachment_bytes=200)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("home.md", Kind.PAGE),
        ("projects/alpha plan.md", Kind.PAGE),
        ("projects/alpha plan/diagram.png", Kind.ATTACHMENT),
        ("README.txt", Kind.OTHER),
        (".gitignore", Kind.OTHER),
        (".obsidian/app.json", Kind.OTHER),
        ("home/.hidden", Kind.OTHER),
    ],
)
def test_kinds_of_files(path, kind):
    assert rules.check_path_change(path, b"x", LIMITS) is kind


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("/etc/passwd", "absolute"),
        ("a/../b.md", "'..'"),
        ("a//b.md", "empty"),
        (".git/config", "reserved"),
        ("x/.GIT/hooks/post-update", "reserved"),
        (".git./x", "reserved"),
        ("a\\b.txt", "backslash"),
        ("nul\x00.md", "U+0000"),
        ("home\u200b.md", "U+200B"),
        ("evil\u202egnp.md", "U+202E"),
        ("x\u2066y.txt", "U+2066"),
        ("bom\ufeff.md", "U+FEFF"),
        ("Projects/Alpha.md", "canonical"),
        ("notes.MD", "lower-case"),
        ("my.notes.md", "'.'"),
        ("a/" * 40 + "x.md", "deeper"),
    ],
)
def test_unsafe_paths_are_refused_with_a_reason(path, fragment):
    with pytest.raises(InvalidInput, match=rf"(?i){re.escape(fragment)}"):
        rules.check_path_change(path, b"x", LIMITS)


def test_content_rules_by_kind():
    with pytest.raises(TooLarge):
        rules.check_path_change("home.md", b"x" * 101, LIMITS)
    with pytest.raises(InvalidInput, match="UTF-8"):
        rules.check_path_change("home.md", b"\xff\xfe", LIMITS)
    with pytest.raises(InvalidInput, match="NUL"):
        rules.check_path_change("home.md", b"a\x00b", LIMITS)
    assert rules.check_path_change("home/pic.png", b"\xff\x00" * 100, LIMITS) is Kind.ATTACHMENT
    with pytest.raises(TooLarge):
        rules.check_path_change("home/pic.png", b"x" * 201, LIMITS)
    # Deleting needs only a safe path, so files from before the rules can be removed.
    rules.check_path_change("Old Name.md", None, LIMITS)
    with pytest.raises(InvalidInput):
        rules.check_path_change("../x", None, LIMITS)


def test_attachment_names_never_collide_with_subpages():
    assert rules.attachment_path("Projects/Alpha", "diagram.png") == "projects/alpha/diagram.png"
    with pytest.raises(InvalidInput, match="subpage"):
        rules.attachment_path("Rf", "bar.md")
    with pytest.raises(InvalidInput, match="subpage"):
        rules.attachment_path("Rf", "BAR.MD")


def test_page_names_refuse_invisible_and_bidi_characters():
    for ch in [
        "\u200b",
        "\u200d",
        "\u200f",
        "\u202a",
        "\u202e",
        "\u2060",
        "\u2064",
        "\u2069",
        "\ufeff",
        "\u00ad",
    ]:
        with pytest.raises(InvalidInput, match=f"U\\+{ord(ch):04X}"):
            rules.page_file(f"Home{ch}")
    with pytest.raises(InvalidInput, match="absolute"):
        rules.page_file("/Home")


def test_commit_messages_are_normalised_and_bounded():
    assert rules.check_message("  fix\r\ntypo\t!  \n") == "fix\ntypo\t!"
    with pytest.raises(InvalidInput, match="U\\+0000"):
        rules.check_message("a\x00b")
    with pytest.raises(InvalidInput, match="U\\+001B"):
        rules.check_message("colour \x1b[31m")
    assert len(rules.check_message("x" * rules.MAX_MESSAGE_CHARS)) == rules.MAX_MESSAGE_CHARS
    with pytest.raises(TooLarge):
        rules.check_message("x" * (rules.MAX_MESSAGE_CHARS + 1))


def test_modes():
    rules.check_mode("a.md", 0o100644)
    rules.check_mode("run.sh", 0o100755)
    for mode in (0o120000, 0o160000, 0o040000):
        with pytest.raises(InvalidInput):
            rules.check_mode("x", mode)
