import pytest

from wikibot.errors import InvalidInput
from wikibot.pages.markdown import (
    Meta,
    extract_links,
    extract_section,
    parse_frontmatter,
    parse_meta,
    rewrite_links,
    sections,
)

# --- frontmatter -------------------------------------------------------------------------


def test_frontmatter_parsed_and_removed():
    data, body = parse_frontmatter("---\ntitle: Hello\ntags: [a, b]\n---\n# Body\n")
    assert data == {"title": "Hello", "tags": ["a", "b"]}
    assert body == "# Body\n"


def test_frontmatter_crlf():
    data, body = parse_frontmatter("---\r\ncategory: x\r\n---\r\nbody")
    assert data == {"category": "x"}
    assert body == "body"


def test_no_frontmatter():
    text = "# Title\n\n---\nnot: frontmatter\n---\n"
    assert parse_frontmatter(text) == ({}, text)


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: [unclosed\n---\nbody",
        "---\na: b: c\n---\nbody",
        "---\nupdated: 2024-13-45\n---\nbody",  # a date yaml cannot build raises ValueError
        "---\n- a list\n- not a mapping\n---\nbody",
        "---\nunterminated: yes\nbody",
    ],
)
def test_bad_frontmatter_leaves_body_unchanged(text):
    assert parse_frontmatter(text) == ({}, text)


def test_empty_frontmatter():
    assert parse_frontmatter("---\n---\nbody") == ({}, "body")


def test_frontmatter_is_not_executed():
    text = "---\nx: !!python/object/apply:os.system ['echo hi']\n---\nbody"
    assert parse_frontmatter(text) == ({}, text)


def test_meta():
    text = "---\ntitle: 'Guide'\ncategory: meta\ntags: Alpha, beta , ALPHA,,\n---\nOne two three.\n"
    meta = parse_meta(text)
    assert meta == Meta(title="Guide", category="meta", tags=("Alpha", "beta"), word_count=3)
    assert meta.has_tag("alpha") and meta.has_tag(" BETA ") and not meta.has_tag("gamma")


def test_meta_tag_list_and_heading_title():
    text = "---\ntags: [Ops, 2024, ops]\n---\n# Runbook\n\nRestart the - service.\n"
    meta = parse_meta(text)
    assert meta.tags == ("Ops", "2024")
    assert meta.title == "Runbook"
    assert meta.category == ""
    assert meta.word_count == 4  # "#" and "-" are not words


def test_meta_without_frontmatter():
    assert parse_meta("") == Meta()
    assert parse_meta("just words here").word_count == 3


# --- links -------------------------------------------------------------------------------


def test_extract_links_forms():
    text = (
        "See [[Home]], [[the guide|Meta/Wiki Usage Guide]] and [[Text|Projects/Alpha#Status]].\n"
        "Root [[/Projects/Beta]], spaced [[ Gamma ]], encoded [[My%20Page]]."
    )
    assert extract_links(text) == [
        "Home",
        "Meta/Wiki Usage Guide",
        "Projects/Alpha",
        "Projects/Beta",
        "Gamma",
        "My Page",
    ]


def test_extract_links_dedupes_case_insensitively_in_order():
    assert extract_links("[[B]] [[a]] [[b]] [[A|a]] [[x|B#y]]") == ["B", "a"]


def test_extract_links_skips_code():
    text = (
        "[[Real]] `[[InlineCode]]` ``[[Double `tick` span]]``\n"
        "```\n[[Fenced]]\n```\n"
        "~~~~python\n[[Tilde]]\n~~~\nstill fenced [[Tilde2]]\n~~~~\n"
        "[[After]]\n"
        '```mermaid\ngraph\n  x[["Switch"]]\n'  # unclosed fence runs to the end
    )
    assert extract_links(text) == ["Real", "After"]


def test_extract_links_skips_invalid_targets():
    text = "[[#anchor]] [[../up]] [[.git/config]] [[What?]] [[a|b|c]] [[]] [[Ok]]"
    assert extract_links(text) == ["Ok"]


def test_unmatched_backtick_does_not_hide_links():
    assert extract_links("a ` stray\n\n[[Page]]") == ["Page"]


def test_rewrite_links():
    text = (
        "[[Old]] [[old]] [[Text|Old#x]] [[/Old]] [[Other]] [[Old Page]] [[Text|OLD]]\n"
        "`[[Old]]`\n```\n[[Old]]\n```\n"
    )
    assert rewrite_links(text, "Old", "Area/New") == (
        "[[Area/New]] [[Area/New]] [[Text|Area/New#x]] [[/Area/New]] [[Other]] [[Old Page]]"
        " [[Text|Area/New]]\n`[[Old]]`\n```\n[[Old]]\n```\n"
    )


def test_rewrite_links_nested_and_unchanged():
    text = "[[Projects/Alpha]] [[Alpha]]"
    assert rewrite_links(text, "projects/alpha/", "Archive/Alpha") == (
        "[[Archive/Alpha]] [[Alpha]]"
    )
    assert rewrite_links("no links", "A", "B") == "no links"


def test_rewrite_links_retain_case():
    assert rewrite_links("[[Old]] [[old]]", "Old", "New", retain_case=True) == "[[New]] [[old]]"


def test_rewrite_links_validates_names():
    with pytest.raises(InvalidInput):
        rewrite_links("[[A]]", "A", "../B")


# --- sections ----------------------------------------------------------------------------

PAGE = """---
title: T
# a yaml comment, not a heading
---
# Intro
intro text
## Background
bg
### Details
deep
```
# not a heading
```
## Usage ##
use
#nospace is text
# Appendix
## Details
app details
"""


def test_sections():
    heads = sections(PAGE)
    assert [(h.level, h.title, h.path) for h in heads] == [
        (1, "Intro", "Intro"),
        (2, "Background", "Intro > Background"),
        (3, "Details", "Intro > Background > Details"),
        (2, "Usage", "Intro > Usage"),
        (1, "Appendix", "Appendix"),
        (2, "Details", "Appendix > Details"),
    ]
    intro, background = heads[0], heads[1]
    assert PAGE[intro.start :].startswith("# Intro\n")
    assert PAGE[intro.end :].startswith("# Appendix")
    assert PAGE[background.end :].startswith("## Usage")
    assert heads[-1].end == len(PAGE)


def test_extract_section_suffix_match():
    assert extract_section(PAGE, "background > details") == (
        "### Details\ndeep\n```\n# not a heading\n```\n"
    )
    assert extract_section(PAGE, "Usage") == "## Usage ##\nuse\n#nospace is text\n"
    assert extract_section(PAGE, "Appendix") == "# Appendix\n## Details\napp details\n"


def test_extract_section_is_substring():
    for head in sections(PAGE):
        assert extract_section(PAGE, head.path) in PAGE


def test_extract_section_ambiguous_lists_candidates():
    with pytest.raises(InvalidInput) as err:
        extract_section(PAGE, "details")
    msg = str(err.value)
    assert "Intro > Background > Details" in msg and "Appendix > Details" in msg


def test_extract_section_full_path_beats_suffix():
    text = "# Details\na\n# Other\n## Details\nb\n"
    assert extract_section(text, "Details") == "# Details\na\n"


def test_extract_section_miss_lists_sections():
    with pytest.raises(InvalidInput) as err:
        extract_section(PAGE, "Nope")
    assert "Intro > Usage" in str(err.value)
    with pytest.raises(InvalidInput) as err:
        extract_section("no headings", "x")
    assert "no headings" in str(err.value)
