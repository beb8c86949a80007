"""Ranked full-text search over a wiki's pages, in memory.

BM25 over the page text, plus boosts for query terms in the page name or title and for the
query as an exact phrase. A page needs only one term to match, but every term adds to its score
and the score is scaled by the share of terms it contains, so pages with all terms come first.
A wiki holds at most a few hundred pages, so there is no stored index: each query scans the
pages with ``str.find`` (a regex pass per page costs ten times more).
"""

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from wikibot.errors import InvalidInput

K1 = 1.2
B = 0.75
NAME_WEIGHT = 2.0  # a query term in the page name or title counts like this many idf units
PHRASE_BODY_BONUS = 1.5  # multiplier when the text has the whole query as a phrase
PHRASE_NAME_BONUS = 2.0  # multiplier when the name or title has the whole query as a phrase
SNIPPET_CHARS = 160
_FIND_LIMIT = 20  # substring hits per page above which a regex scan is cheaper

_WORD_RE = re.compile(r"\w+")
_SPACE_RE = re.compile(r"\s+")
_FRONTMATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_TITLE_RE = re.compile(r"^title:[ \t]*(.+)$", re.MULTILINE)
_HEADING_RE = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Hit:
    """One search result.

    Attributes:
        name: The page name as given to :func:`search`.
        score: Relevance; higher is better, only meaningful within one result list.
        snippet: About 160 characters around the best match, matched words in ``**bold**``.
    """

    name: str
    score: float
    snippet: str


def _tokens(text: str) -> list[str]:
    return _WORD_RE.findall(text.casefold())


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what the regex \\w matches


def _counts(low: str, terms: list[str], ends: list[re.Pattern[str]]) -> dict[str, int]:
    """Count whole-word occurrences of each term in casefolded text.

    ``str.find`` is much faster than a regex pass over the page. A term hiding inside many
    longer words (``in``) uses ``ends``, the term followed by a word end, a regex that starts
    with a literal and so still scans fast; the word start is checked by hand either way.
    """
    counts: dict[str, int] = {}
    for term, end_re in zip(terms, ends, strict=True):
        c = 0
        if low.count(term) > _FIND_LIMIT:
            for m in end_re.finditer(low):
                c += m.start() == 0 or not _is_word(low[m.start() - 1])
        else:
            size, i = len(term), low.find(term)
            while i != -1:
                j = i + size
                if (i == 0 or not _is_word(low[i - 1])) and (j == len(low) or not _is_word(low[j])):
                    c += 1
                i = low.find(term, j)
        if c:
            counts[term] = c
    return counts


def _split(text: str) -> tuple[str, str]:
    """Return (title, body) cheaply: no YAML parsing, which would dominate the cost."""
    m = _FRONTMATTER_RE.match(text)
    body = text[m.end() :] if m else text
    t = _TITLE_RE.search(m.group(1) or "") if m else None
    if t:
        return t.group(1).strip().strip("\"'"), body
    h = _HEADING_RE.search(body, 0, 2000)
    return (h.group(1).strip().rstrip("#").strip() if h else ""), body


def search(pages: Iterable[tuple[str, str]], query: str, *, limit: int = 20) -> list[Hit]:
    """Rank pages by relevance to a query.

    Args:
        pages: ``(page name, Markdown text)`` pairs.
        query: Words to look for; case and punctuation are ignored, several words rank pages
            that have all of them (as a phrase best) first.
        limit: At most this many hits are returned.

    Returns:
        Hits, best first; pages matching no query word are left out.

    Raises:
        InvalidInput: The query has no words.
    """
    terms = list(dict.fromkeys(_tokens(query or "")))
    if not terms:
        raise InvalidInput("The search query is empty; pass one or more words to look for.")
    wanted = set(terms)
    phrase = " ".join(terms) if len(terms) > 1 else ""
    phrase_re = re.compile(r"(?<!\w)" + r"\W+".join(map(re.escape, terms)) + r"(?!\w)")

    ends = [re.compile(re.escape(t) + r"(?!\w)") for t in terms]
    docs = []  # (name, body, title, term counts, length, name and title tokens, phrase bonus)
    df: Counter[str] = Counter()
    total_len = 0
    n = 0
    for name, text in pages:
        n += 1
        low = text.casefold()
        # Length in characters, not words: the ratio to the average is what BM25 needs, and
        # it saves tokenising every page.
        total_len += len(low)
        counts = _counts(low, terms, ends) if any(t in low for t in terms) else {}
        # The title is part of the text, so only a page containing a term can match by title.
        if not counts and wanted.isdisjoint(_tokens(name)):
            continue
        title, body = _split(text)
        df.update(counts.keys())
        heads = [" ".join(_tokens(name)), " ".join(_tokens(title))]
        if phrase and any(f" {phrase} " in f" {h} " for h in heads):
            bonus = PHRASE_NAME_BONUS
        elif phrase and len(counts) == len(terms) and phrase_re.search(low):
            bonus = PHRASE_BODY_BONUS
        else:
            bonus = 1.0
        docs.append((name, body, title, counts, len(low), set(" ".join(heads).split()), bonus))

    if not docs:
        return []
    avg_len = total_len / n or 1.0
    idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in terms}

    scored: list[tuple[float, str, str, str]] = []
    for name, body, title, counts, length, name_set, bonus in docs:
        norm = K1 * (1 - B + B * length / avg_len)
        score = sum(idf[t] * c * (K1 + 1) / (c + norm) for t, c in counts.items())
        score += sum(NAME_WEIGHT * idf[t] for t in terms if t in name_set)
        matched = sum(1 for t in terms if t in counts or t in name_set)
        score *= bonus * matched / len(terms)
        scored.append((score, name, body, title))

    scored.sort(key=lambda s: (-s[0], s[1]))
    return [
        Hit(name, round(score, 4), snippet(body or title, terms))
        for score, name, body, title in scored[: max(limit, 0)]
    ]


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> str:
    """Cut about ``width`` characters around the densest cluster of query terms.

    Args:
        text: The text to quote (usually the page body).
        terms: Casefolded query terms.
        width: Target length before markup and ellipses.

    Returns:
        One line: the window, matched words as ``**word**``, ``…`` where the text was cut.
    """
    wanted = set(terms)
    hits = [m for m in _WORD_RE.finditer(text) if m.group().casefold() in wanted]
    start = 0
    if hits:
        # Window starting at each hit (two pointers, hits are in order); pick the one covering
        # the most distinct terms, then the most hits, then the earliest.
        best, best_key, j = 0, (-1, -1), 0
        for i, first in enumerate(hits):
            j = max(j, i)
            while j + 1 < len(hits) and hits[j + 1].end() - first.start() <= width:
                j += 1
            key = (len({h.group().casefold() for h in hits[i : j + 1]}), j + 1 - i)
            if key > best_key:
                best, best_key, best_end = i, key, j
        first = hits[best]
        used = hits[best_end].end() - first.start()
        # Centre the matches: give part of the spare room to the text before them.
        start = max(0, first.start() - max(0, width - used) // 3)
        if start > 0:
            space = _SPACE_RE.search(text, start, first.start())
            start = space.end() if space else start
    end = min(len(text), start + width)
    if end < len(text):
        # Cut after a whole word.
        space = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
        end = space if space > start else end
    out, pos = [], start
    for m in hits:
        if m.start() >= start and m.end() <= end:
            out += [text[pos : m.start()], "**", m.group(), "**"]
            pos = m.end()
    out.append(text[pos:end])
    body = " ".join("".join(out).split())
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
