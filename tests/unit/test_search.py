import random

import pytest

from wikibot.errors import InvalidInput
from wikibot.pages.search import Hit, search, snippet

FILLER = (
    "the team wrote notes about meetings plans budgets people travel weather food music "
    "books sports gardens kitchens offices chairs lamps windows doors"
).split()


def filler(n: int, seed: int) -> str:
    rnd = random.Random(seed)
    return " ".join(rnd.choice(FILLER) for _ in range(n))


def names(hits: list[Hit]) -> list[str]:
    return [h.name for h in hits]


@pytest.mark.parametrize("query", ["", "   ", "\n\t", "?!-", None])
def test_empty_query_rejected(query):
    with pytest.raises(InvalidInput):
        search([("A", "text")], query)


def test_no_match_and_no_pages():
    assert search([("A", "alpha beta")], "gamma") == []
    assert search([], "gamma") == []


def test_most_relevant_first():
    pages = [
        ("Once", filler(100, 1) + " deployment " + filler(100, 2)),
        (
            "Often",
            filler(60, 3) + " deployment steps and deployment checks, deployment " + filler(60, 4),
        ),
        ("Never", filler(200, 5)),
    ]
    assert names(search(pages, "Deployment")) == ["Often", "Once"]


def test_every_term_contributes():
    pages = [
        ("One", filler(80, 1) + " lambda " + filler(80, 2)),
        ("Both", filler(80, 3) + " lambda " + filler(40, 4) + " cache " + filler(40, 5)),
        ("Other", filler(80, 6) + " cache " + filler(80, 7)),
    ]
    hits = search(pages, "lambda cache")
    assert hits[0].name == "Both"
    assert set(names(hits)) == {"One", "Both", "Other"}


def test_phrase_beats_scattered_words():
    scattered = filler(50, 1) + " cold " + filler(50, 2) + " start " + filler(50, 3)
    phrase = filler(50, 1) + " cold start " + filler(100, 2)
    pages = [("Scattered", scattered), ("Phrase", phrase)]
    assert names(search(pages, "cold start")) == ["Phrase", "Scattered"]
    # Punctuation and case between the words still make a phrase.
    pages = [("Scattered", scattered), ("Phrase", filler(50, 1) + " Cold, start " + filler(100, 2))]
    assert names(search(pages, "COLD START")) == ["Phrase", "Scattered"]


def test_title_and_name_boost():
    body = filler(100, 1) + " caching " + filler(100, 2)
    pages = [
        # Without the boosts this page would rank first: the word twice in its text.
        ("Notes/Misc", body + " caching"),
        ("Notes/Caching", body),
        ("Notes/Other", "---\ntitle: Caching strategy\n---\n" + body),
        ("Notes/Heading", "# Caching\n\n" + body),
    ]
    hits = search(pages, "caching")
    assert len(hits) == 4
    assert hits[-1].name == "Notes/Misc"


def test_page_with_all_terms_beats_one_term_repeated():
    pages = [
        ("Repeated", filler(60, 1) + " lambda" * 20 + " " + filler(60, 2)),
        ("Both", filler(60, 3) + " lambda " + filler(20, 4) + " cache " + filler(60, 5)),
        ("Stored", filler(60, 6) + " cache" * 20 + " " + filler(60, 7)),
    ]
    assert names(search(pages, "lambda cache"))[0] == "Both"


def test_name_only_match_is_found():
    hits = search([("Runbooks/Postgres", filler(50, 1)), ("X", filler(50, 2))], "postgres")
    assert names(hits) == ["Runbooks/Postgres"]
    assert hits[0].snippet  # falls back to the start of the page


def test_whole_words_only():
    pages = [("A", "the cacheable thing, precache"), ("B", "a cache here")]
    assert names(search(pages, "cache")) == ["B"]


def test_unicode_and_case():
    pages = [("Straße", "Die STRASSE ist lang."), ("Café", "Ein Café in Köln"), ("X", "nichts")]
    assert names(search(pages, "köln")) == ["Café"]
    assert names(search(pages, "CAFÉ")) == ["Café"]
    # casefold: ß matches ss
    assert names(search(pages, "straße")) == ["Straße"]


def test_limit_and_stable_order():
    pages = [(f"P{i:02d}", "same words here") for i in range(30)]
    hits = search(pages, "words", limit=5)
    assert names(hits) == ["P00", "P01", "P02", "P03", "P04"]


def test_frequent_substring_term():
    # More substring hits than the str.find fast path handles: the regex path must agree.
    text = " ".join(["in", "inside", "within", "input"] * 30)
    hits = search([("A", text), ("B", "nothing")], "in")
    assert names(hits) == ["A"]
    assert hits[0].snippet.count("**in**") >= 5
    assert "**inside**" not in hits[0].snippet


def test_snippet_marks_terms_and_cuts():
    text = filler(80, 1) + "\n\nThe Lambda cold start\ntakes time. " + filler(80, 2)
    hit = search([("A", text)], "lambda start")[0]
    s = hit.snippet
    assert "**Lambda** cold **start** takes time." in s
    assert s.startswith("…") and s.endswith("…")
    assert "\n" not in s
    assert len(s.replace("**", "")) <= 162


def test_snippet_short_text_uncut():
    assert snippet("Short page about caching.", ["caching"]) == "Short page about **caching**."


def test_snippet_prefers_window_with_all_terms():
    text = "alpha " + filler(60, 1) + " alpha beta " + filler(60, 2)
    s = snippet(text, ["alpha", "beta"])
    assert "**alpha** **beta**" in s


def test_snippet_skips_frontmatter():
    text = "---\ntitle: Cache\ntags: [cache]\n---\nBody about the cache layer."
    hit = search([("A", text)], "cache")[0]
    assert hit.snippet == "Body about the **cache** layer."
