"""Text logic over one page's Markdown: frontmatter, WikiLinks and sections.

WikiLinks follow Otterwiki's default ``WIKILINK_STYLE``: ``[[Page]]`` and ``[[Text|Page]]``, the
target always from the wiki root, ``#anchor`` not part of the target. Like Otterwiki's broken-link
check (``otterwiki/tools.py``), fenced code blocks and inline code spans are not scanned.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

import yaml

from wikibot.errors import InvalidInput
from wikibot.pages.names import normalize_page_name, page_file

# Leading "---" line, YAML, closing "---" line (or an empty block).
_FRONTMATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
# A fence closes on a line of the same character at least as long; an unclosed fence runs to
# the end of the page (CommonMark, and mistune which Otterwiki renders with).
_FENCE_RE = re.compile(
    r"^ {0,3}(?P<fence>(?P<c>[`~])(?P=c){2,})[^\n]*(?:\n|\Z)"
    r".*?(?:^ {0,3}(?P=fence)(?P=c)*[ \t]*(?:\n|\Z)|\Z)",
    re.DOTALL | re.MULTILINE,
)
# A run of N backticks closed by a run of exactly N; a code span never crosses a blank line.
_CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(?:(?!\n[ \t]*\n).)*?[^`]\1(?!`)", re.DOTALL)
_WIKILINK_RE = re.compile(r"\[\[([^\]]+)\]\]")
_ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_WORD_RE = re.compile(r"\S*\w\S*")
# libyaml's safe loader (shipped in PyYAML's wheels) is ~10x faster than the pure-Python one
# (~100 ms per 1,000 pages); same safe subset of YAML.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_frontmatter(text: str) -> tuple[dict, str]:
    """Split YAML frontmatter from the body.

    Args:
        text: The page's Markdown.

    Returns:
        ``(data, body)``. Without frontmatter, or when it is not a YAML mapping, ``data`` is
        empty and ``body`` is the whole text unchanged.
    """
    m = _FRONTMATTER_RE.match(text)
    if not m:
        return {}, text
    try:
        data = yaml.load(m.group(1) or "", Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, ValueError, RecursionError):
        # Invalid YAML, or an impossible date such as 2024-13-45 (a ValueError).
        return {}, text
    if data is None:
        return {}, text[m.end() :]
    if not isinstance(data, dict):
        return {}, text
    return data, text[m.end() :]


@dataclass(frozen=True)
class Meta:
    """What listings and filters need from a page.

    Attributes:
        title: Frontmatter ``title``, else the first heading, else ``""``.
        category: Frontmatter ``category`` or ``""``.
        tags: Frontmatter ``tags`` (list or comma-separated string), case kept, duplicates
            (compared case-insensitively) removed.
        word_count: Words in the body (frontmatter excluded).
    """

    title: str = ""
    category: str = ""
    tags: tuple[str, ...] = ()
    word_count: int = 0

    def has_tag(self, tag: str) -> bool:
        """Tell whether the page has ``tag``, compared case-insensitively."""
        wanted = tag.strip().casefold()
        return any(t.casefold() == wanted for t in self.tags)


def _scalar(value: object) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def parse_meta(text: str) -> Meta:
    """Read title, category, tags and word count from a page.

    Args:
        text: The page's Markdown.

    Returns:
        The page's Meta; missing or malformed fields are empty.
    """
    data, body = parse_frontmatter(text)
    # Otterwiki strips quotes left around a frontmatter title.
    title = _scalar(data.get("title")).strip("\"'")
    if not title:
        heads = sections(body)
        title = heads[0].title if heads else ""
    raw = data.get("tags")
    items = raw.split(",") if isinstance(raw, str) else raw if isinstance(raw, list) else []
    tags: dict[str, str] = {}
    for item in items:
        tag = _scalar(item)
        if tag:
            tags.setdefault(tag.casefold(), tag)
    return Meta(
        title=title,
        category=_scalar(data.get("category")),
        tags=tuple(tags.values()),
        word_count=len(_WORD_RE.findall(body)),
    )


def _fence_ranges(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _FENCE_RE.finditer(text)]


def _prose(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of the parts of ``text`` outside fenced code and code spans."""
    pos = 0
    for fstart, fend in [*_fence_ranges(text), (len(text), len(text))]:
        for m in _CODE_SPAN_RE.finditer(text, pos, fstart):
            yield pos, m.start()
            pos = m.end()
        yield pos, fstart
        pos = fend


def _split_link(inner: str) -> tuple[str | None, str]:
    # Default WIKILINK_STYLE: [[Text|Page]]; the first pipe separates.
    if "|" in inner:
        title, link = inner.split("|", 1)
        return title, link
    return None, inner


def _target(link: str) -> tuple[str, str] | None:
    """Return (page name, '#anchor' or '') for a link, or None if it names no valid page."""
    page, sep, anchor = link.strip().partition("#")
    # Otterwiki unquotes link targets (they may be written %-encoded).
    page = unquote(page).strip()
    if not page:
        return None  # a same-page [[#anchor]]
    try:
        return normalize_page_name(page), sep + anchor
    except InvalidInput:
        return None


def extract_links(text: str) -> list[str]:
    """List the pages a page links to with WikiLinks.

    Args:
        text: The page's Markdown.

    Returns:
        Normalised target page names, first spelling kept, without duplicates (compared
        case-insensitively), in order of appearance. Links in code and invalid targets are
        left out.
    """
    found: dict[str, str] = {}
    for start, end in _prose(text):
        for m in _WIKILINK_RE.finditer(text, start, end):
            target = _target(_split_link(m.group(1))[1])
            if target:
                found.setdefault(target[0].lower(), target[0])
    return list(found.values())


def rewrite_links(text: str, old: str, new: str, *, retain_case: bool = False) -> str:
    """Point every WikiLink to ``old`` at ``new`` (used when a page is renamed).

    Display text, a leading ``/`` and ``#anchor`` are kept; code is left untouched. Targets are
    compared by their file, so case-insensitively unless ``retain_case``.

    Args:
        text: The page's Markdown.
        old: The page's previous name.
        new: The page's new name.
        retain_case: Otterwiki's ``RETAIN_PAGE_NAME_CASE``.

    Returns:
        The rewritten Markdown (``text`` itself when nothing matched).

    Raises:
        InvalidInput: ``old`` or ``new`` is not a valid page name.
    """
    old_key = page_file(old, retain_case=retain_case)
    new_name = normalize_page_name(new)

    def repl(m: re.Match[str]) -> str:
        title, link = _split_link(m.group(1))
        target = _target(link)
        if not target or page_file(target[0], retain_case=retain_case) != old_key:
            return m.group(0)
        root = "/" if link.strip().startswith("/") else ""
        new_link = root + new_name + target[1]
        return f"[[{new_link}]]" if title is None else f"[[{title}|{new_link}]]"

    out, pos = [], 0
    for start, end in _prose(text):
        out.append(text[pos:start])
        out.append(_WIKILINK_RE.sub(repl, text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


@dataclass(frozen=True)
class Heading:
    """An ATX heading and the section it opens.

    Attributes:
        level: 1 for ``#`` through 6 for ``######``.
        title: The heading text, closing ``#`` removed.
        path: Titles of the enclosing headings and this one, joined by `` > ``.
        start: Offset of the heading line in the text.
        end: Offset where the section ends: the next heading of the same or a higher level,
            or the end of the text.
    """

    level: int
    title: str
    path: str
    start: int
    end: int


def sections(text: str) -> list[Heading]:
    """List the ATX headings of a page, skipping frontmatter and fenced code.

    Args:
        text: The page's Markdown (offsets refer to it, frontmatter included).

    Returns:
        Headings in document order.
    """
    fm = _FRONTMATTER_RE.match(text)
    skip = _fence_ranges(text) + ([fm.span()] if fm else [])
    found: list[tuple[int, str, int]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        m = _ATX_RE.match(line.rstrip("\r\n"))
        if not m or not (m.group(2) or "").strip():
            continue
        if any(a <= start < b for a, b in skip):
            continue
        found.append((len(m.group(1)), m.group(2).strip(), start))
    result: list[Heading] = []
    stack: list[tuple[int, str]] = []
    for i, (level, title, start) in enumerate(found):
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        end = next((s for lv, _, s in found[i + 1 :] if lv <= level), len(text))
        path = " > ".join(t for _, t in stack)
        result.append(Heading(level, title, path, start, end))
    return result


def _parts(path: str) -> list[str]:
    return [" ".join(p.split()).casefold() for p in path.split(">")]


def extract_section(text: str, heading_path: str) -> str:
    """Return one section: its heading line up to the next heading of the same or higher level.

    Args:
        text: The page's Markdown.
        heading_path: A heading title (``Details``) or the end of a heading path
            (``Background > Details``); case-insensitive.

    Returns:
        The section, an exact substring of ``text``.

    Raises:
        InvalidInput: No section matches (the message lists the available ones) or several do
            (the message lists them).
    """
    heads = sections(text)
    want = _parts(heading_path)
    hits = [h for h in heads if _parts(h.path)[-len(want) :] == want]
    if len(hits) > 1:
        # A full path beats the same words as the tail of a deeper path.
        exact = [h for h in hits if _parts(h.path) == want]
        hits = exact if len(exact) == 1 else hits
    if len(hits) == 1:
        return text[hits[0].start : hits[0].end]
    if not hits:
        listing = "; ".join(h.path for h in heads) or "(the page has no headings)"
        raise InvalidInput(
            f"No section matches {heading_path!r}. Available sections: {listing}. "
            "Pass one of these, or leave section empty to read the whole page."
        )
    listing = "; ".join(f"{h.path} (line {text.count(chr(10), 0, h.start) + 1})" for h in hits)
    raise InvalidInput(
        f"{len(hits)} sections match {heading_path!r}: {listing}. Pass a longer heading path "
        "such as 'Parent > Child' to choose one, or read the whole page."
    )
