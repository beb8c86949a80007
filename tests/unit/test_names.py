import pytest

from wikibot.errors import InvalidInput
from wikibot.pages.names import (
    attachment_dir,
    is_page_file,
    normalize_attachment_name,
    normalize_page_name,
    page_file,
    page_name,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Home", "Home"),
        ("  Meta/Wiki Usage Guide  ", "Meta/Wiki Usage Guide"),
        ("a//b///c", "a/b/c"),
        ("a/b/", "a/b"),
        ("Notes.md", "Notes"),
        ("Projects / Alpha", "Projects/Alpha"),
        ("Straße/Übersicht", "Straße/Übersicht"),
        ("日本語のページ", "日本語のページ"),
        (
            "Ünïcödé Names – with dashes, commas & (parens)",
            "Ünïcödé Names – with dashes, commas & (parens)",
        ),
        ("C++ tips: a-b_c", "C++ tips: a-b_c"),
        # A leading slash means the wiki root, as in [[/Page]]; it cannot escape the wiki.
        ("/abs", "abs"),
        ("//abs/x", "abs/x"),
        # otterwiki/util.py sanitize_pagename normalises with NFKC first: the fullwidth solidus
        # becomes "/" and the "ﬁ" ligature becomes "fi".
        ("a／b", "a/b"),
        ("ﬁle", "file"),
    ],
)
def test_normalize_accepts(raw, expected):
    assert normalize_page_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("/", "empty"),
        ("../x", "relative paths"),
        ("a/../b", "relative paths"),
        ("a/./b", "relative paths"),
        ("..", "relative paths"),
        (".git/config", "hidden"),
        ("a/.hidden", "hidden"),
        ("a\x00b", "U+0000"),
        ("a\x01b", "U+0001"),
        ("a\nb", "U+000A"),
        ("a\u2028b", "U+2028"),
        ("a\\b", "backslash"),
        ("..\\..\\etc", "backslash"),
        ("x" * 201, "too long"),
        ("/".join(["x" * 60] * 4), "limit is 200"),
        ("y" * 101, "too long"),
        ("日" * 90, "too long"),  # 90 chars but 270 bytes: over a file name's 255 bytes
        # Characters otterwiki/util.py sanitize_pagename drops; its create view refuses them.
        ("Release 1.2", "'.'"),
        ("What?", "?"),
        ("a|b", "|"),
        ("Costs $", "$"),
        ("Wow!", "!"),
        ("C# notes", "#"),
        ("-leading dash", "'-'"),
    ],
)
def test_normalize_rejects(raw, fragment):
    with pytest.raises(InvalidInput) as err:
        normalize_page_name(raw)
    assert fragment in str(err.value)


def test_normalize_rejects_non_string():
    with pytest.raises(InvalidInput):
        normalize_page_name(None)  # type: ignore[arg-type]


def test_limits_are_inclusive():
    assert normalize_page_name("x" * 100) == "x" * 100
    name = "/".join(["x" * 99] * 2)  # 199 characters
    assert normalize_page_name(name) == name


def test_dash_inside_path_is_allowed():
    # sanitize_pagename only strips a dash at the very start (value.lstrip("-/")).
    assert normalize_page_name("a/-b") == "a/-b"


@pytest.mark.parametrize(
    ("name", "path"),
    [
        # otterwiki/helper.py get_filename: lowercase (RETAIN_PAGE_NAME_CASE off) + ".md".
        ("Meta/Wiki Usage Guide", "meta/wiki usage guide.md"),
        ("Home", "home.md"),
        ("Straße", "straße.md"),
        ("ÜBER", "über.md"),
        ("a//b/", "a/b.md"),
    ],
)
def test_page_file(name, path):
    assert page_file(name) == path


def test_page_file_retain_case():
    assert page_file("Meta/Wiki Usage Guide", retain_case=True) == "Meta/Wiki Usage Guide.md"


def test_page_file_validates():
    with pytest.raises(InvalidInput):
        page_file("../etc/passwd")


@pytest.mark.parametrize(
    ("path", "name"),
    [
        # otterwiki/helper.py get_pagename: each lowercase part goes through titleSs.
        ("meta/wiki usage guide.md", "Meta/Wiki Usage Guide"),
        ("home.md", "Home"),
        # titleSs: "'" is not a word break and "ß" stays (str.title gives "Don'T", "Ss").
        ("don't panic.md", "Don't Panic"),
        ("straße.md", "Straße"),
        # str.title semantics: a letter after a digit starts a new word.
        ("2nd try.md", "2Nd Try"),
        ("über uns.md", "Über Uns"),
        ("a-b_c.md", "A-B_C"),
        # get_pagename keeps a part that has capitals (a file added through git).
        ("Projects/iPhone Notes.md", "Projects/iPhone Notes"),
        ("meta/", "Meta"),
        ("meta/page template", "Meta/Page Template"),
    ],
)
def test_page_name(path, name):
    assert page_name(path) == name


def test_page_name_retain_case():
    assert page_name("meta/wiki usage guide.md", retain_case=True) == "meta/wiki usage guide"


@pytest.mark.parametrize(
    "name",
    ["Home", "Meta/Wiki Usage Guide", "Über Uns/Straße", "日本語/ページ", "Don't Panic", "a-b/C_d"],
)
def test_round_trip(name):
    path = page_file(name)
    assert page_file(page_name(path)) == path
    assert page_name(path).lower() == name.lower()


def test_round_trip_retain_case():
    name = "Projects/iPhone Notes"
    assert page_name(page_file(name, retain_case=True), retain_case=True) == name


def test_attachment_dir():
    # otterwiki/helper.py get_attachment_directoryname: the page file without ".md".
    assert attachment_dir("Meta/Wiki Usage Guide") == "meta/wiki usage guide"
    assert attachment_dir("Meta/Guide", retain_case=True) == "Meta/Guide"
    with pytest.raises(InvalidInput):
        attachment_dir("../x")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("home.md", True),
        ("meta/wiki usage guide.md", True),
        ("meta/diagram.png", False),
        (".git/config", False),
        (".github/readme.md", False),
        ("a/.hidden.md", False),
        (".md", False),
        ("a/.md", False),
        ("a//b.md", False),
        ("notes.markdown", False),
    ],
)
def test_is_page_file(path, expected):
    assert is_page_file(path) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("diagram.png", "diagram.png"),
        ("  report 2024.pdf ", "report 2024.pdf"),
        ("Übersicht – final.docx", "Übersicht – final.docx"),
        ("archive.tar.gz", "archive.tar.gz"),
        ("x" * 255, "x" * 255),
    ],
)
def test_attachment_name_accepts(raw, expected):
    assert normalize_attachment_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a/b.png", "'/'"),
        ("../x.png", "'/'"),
        ("a\\b.png", "backslash"),
        (".htaccess", "starts with '.'"),
        ("..", "starts with '.'"),
        ("a\x00.png", "U+0000"),
        ("a\x1f.png", "U+001F"),
        ("x" * 256, "255 bytes"),
        ("ü" * 128, "255 bytes"),  # 128 characters, 256 bytes
    ],
)
def test_attachment_name_rejects(raw, fragment):
    with pytest.raises(InvalidInput) as err:
        normalize_attachment_name(raw)
    assert fragment in str(err.value)
