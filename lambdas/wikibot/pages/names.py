"""Page names <-> repository paths, with the rules Otterwiki 2.26 applies.

The web UI (Otterwiki) reads the same repository, so a page written here must be the page it
shows. Otterwiki's rules (``otterwiki/util.py``, ``otterwiki/helper.py``):

- ``sanitize_pagename``: NFKC-normalises, then silently drops ``? | $ . ! #`` and backslash,
  strips a leading ``-``/``/`` and surrounding whitespace and collapses slashes. Its create and
  rename views reject a name that sanitising would change. We reject the same characters with
  a message instead of renaming silently, so an agent never writes a page it did not name.
- ``get_filename``: lowercases unless ``RETAIN_PAGE_NAME_CASE``, appends ``.md``.
- ``get_attachment_directoryname``: the page file without ``.md``.
- ``get_pagename``: per path part, keeps a part that has capitals, else title-cases it with
  ``titleSs`` (``str.title`` that keeps ``ß`` and does not treat ``'`` as a word break).
"""

import unicodedata

from wikibot.errors import InvalidInput

MAX_NAME_CHARS = 200
MAX_SEGMENT_CHARS = 100
# A segment becomes a file or folder name; most filesystems (ext4, EFS) allow 255 bytes, and the
# page file adds ".md".
MAX_SEGMENT_BYTES = 250
MAX_ATTACHMENT_BYTES = 255

# Removed by Otterwiki's sanitize_pagename; "." is handled separately for a clearer message.
_DROPPED_CHARS = "?|$!#"
# Control, surrogate and line/paragraph separator categories.
_CONTROL_CATEGORIES = {"Cc", "Cs", "Zl", "Zp"}
# Format characters (category Cf) are invisible: zero-width spaces and joiners (U+200B..U+200F),
# bidi embeddings and overrides (U+202A..U+202E, U+2066..U+2069), word joiners (U+2060..U+2064),
# the BOM U+FEFF (which Otterwiki's WikiLink parser also uses as a pipe placeholder) and the soft
# hyphen. "Home\u200b" would look exactly like "Home", so names with them are refused.
_FORMAT_CATEGORY = "Cf"


def unsafe_char(value: str) -> str | None:
    """The first control or invisible format character in `value`, described, or None."""
    for ch in value:
        category = unicodedata.category(ch)
        if category in _CONTROL_CATEGORIES:
            return f"the control character U+{ord(ch):04X}"
        if category == _FORMAT_CATEGORY:
            label = unicodedata.name(ch, "format character").lower()
            return f"the invisible character U+{ord(ch):04X} ({label})"
    return None


def _check_chars(value: str, what: str) -> None:
    bad = unsafe_char(value)
    if bad:
        raise InvalidInput(
            f"{what} {value!r} contains {bad}; use visible, printable characters only."
        )
    if "\\" in value:
        raise InvalidInput(
            f"{what} {value!r} contains a backslash; separate folders with '/' instead."
        )


def normalize_page_name(name: str) -> str:
    """Normalise and validate a page name as given by a user or an agent.

    Leading and trailing whitespace and slashes, repeated slashes, whitespace around each
    segment and a trailing ``.md`` are removed; a leading ``/`` means the wiki root, as in
    Otterwiki's WikiLinks. Letters of any script, digits, spaces and most punctuation are kept.

    Args:
        name: A page name such as ``Meta/Wiki Usage Guide`` (case is kept).

    Returns:
        The canonical page name, e.g. ``Meta/Wiki Usage Guide``.

    Raises:
        InvalidInput: The name is empty, too long, escapes the wiki (``..``), names a hidden
            path (``.git``) or contains characters Otterwiki cannot serve.
    """
    if not isinstance(name, str):
        raise InvalidInput(f"A page name must be a string, not {type(name).__name__}.")
    # Otterwiki's sanitize_pagename normalises with NFKC first, so e.g. a fullwidth solidus
    # becomes "/" before any other rule applies.
    value = unicodedata.normalize("NFKC", name).strip()
    _check_chars(value, "The page name")
    if value.lower().endswith(".md"):
        value = value[:-3]
    segments = [s.strip() for s in value.split("/")]
    segments = [s for s in segments if s]
    if not segments:
        raise InvalidInput("The page name is empty; give a name such as 'Projects/Alpha'.")
    for seg in segments:
        _check_segment(seg, name)
    result = "/".join(segments)
    if result.startswith("-"):
        # Otterwiki strips a leading dash, which would silently rename the page.
        raise InvalidInput(f"The page name {name!r} starts with '-'; start it with a letter.")
    if len(result) > MAX_NAME_CHARS:
        raise InvalidInput(
            f"The page name is {len(result)} characters long; the limit is {MAX_NAME_CHARS}. "
            "Use a shorter name."
        )
    return result


def _check_segment(seg: str, name: str) -> None:
    if seg in (".", ".."):
        raise InvalidInput(
            f"The page name {name!r} contains a '{seg}' segment; relative paths are not "
            "allowed, name the page from the wiki root, e.g. 'Projects/Alpha'."
        )
    if seg.startswith("."):
        raise InvalidInput(
            f"The page name {name!r} has a segment starting with '.' ({seg!r}); hidden paths "
            "such as '.git' are reserved. Remove the leading dot."
        )
    if "." in seg:
        raise InvalidInput(
            f"The page name {name!r} contains '.', which the wiki's web UI drops from page "
            "names; use '-' or a space instead, e.g. 'Release 1-2'."
        )
    bad = sorted({ch for ch in seg if ch in _DROPPED_CHARS})
    if bad:
        raise InvalidInput(
            f"The page name {name!r} contains {' '.join(bad)}, which page names cannot "
            "contain (the web UI drops them); remove or replace them."
        )
    if len(seg) > MAX_SEGMENT_CHARS or len(seg.encode("utf-8")) > MAX_SEGMENT_BYTES:
        raise InvalidInput(
            f"The segment {seg[:40]!r}... of the page name is too long; keep each part "
            f"between slashes to at most {MAX_SEGMENT_CHARS} characters."
        )


def page_file(name: str, *, retain_case: bool = False) -> str:
    """Map a page name to its Markdown file in the repository.

    Args:
        name: A page name; it is normalised and validated first.
        retain_case: Otterwiki's ``RETAIN_PAGE_NAME_CASE``; off means files are lowercase.

    Returns:
        The repository path, e.g. ``meta/wiki usage guide.md``.

    Raises:
        InvalidInput: The name is not a valid page name.
    """
    value = normalize_page_name(name)
    return (value if retain_case else value.lower()) + ".md"


def attachment_dir(name: str, *, retain_case: bool = False) -> str:
    """Return the folder holding a page's attachments: the page file without ``.md``.

    Args:
        name: A page name; it is normalised and validated first.
        retain_case: Otterwiki's ``RETAIN_PAGE_NAME_CASE``.

    Returns:
        The repository folder, e.g. ``meta/wiki usage guide``.

    Raises:
        InvalidInput: The name is not a valid page name.
    """
    return page_file(name, retain_case=retain_case)[:-3]


def is_page_file(path: str) -> bool:
    """Tell whether a repository path is a page: a non-hidden ``.md`` file.

    Args:
        path: A repository path with ``/`` separators, e.g. ``meta/page template.md``.

    Returns:
        True for page files; False for attachments, hidden files and folders.
    """
    if not path.endswith(".md") or len(path) <= 3 or path.endswith("/.md"):
        return False
    return not any(part.startswith(".") or not part for part in path.split("/"))


def _title_case(part: str) -> str:
    # Same result as Otterwiki's titleSs: str.title(), except that "ß" and "'" count as letters
    # inside a word, so "don't" -> "Don't" (not "Don'T") and "straße" -> "Straße".
    out = []
    in_word = False
    for ch in part:
        if ch in "ß'":
            out.append(ch)
            in_word = True
            continue
        out.append(ch.lower() if in_word else ch.title())
        in_word = ch.isupper() or ch.islower() or ch.istitle()
    return "".join(out)


def page_name(path: str, *, retain_case: bool = False) -> str:
    """Derive the display name of a page from its repository path, as Otterwiki does.

    With lowercase files, each part that has no capitals is title-cased
    (``meta/wiki usage guide.md`` -> ``Meta/Wiki Usage Guide``); a part with capitals (a file
    added through git) is kept. With ``retain_case`` the path is the name.

    Args:
        path: A repository path, with or without ``.md``.
        retain_case: Otterwiki's ``RETAIN_PAGE_NAME_CASE``.

    Returns:
        The page name; ``page_file(page_name(p)) == p`` for files this module created.
    """
    path = path.strip("/")
    if path.endswith(".md"):
        path = path[:-3]
    parts = [p for p in path.split("/") if p]
    if not retain_case:
        parts = [p if p != p.lower() else _title_case(p) for p in parts]
    return "/".join(parts)


def normalize_attachment_name(filename: str) -> str:
    """Validate an attachment file name.

    Args:
        filename: A plain file name such as ``diagram.png`` (no folders).

    Returns:
        The NFKC-normalised name with surrounding whitespace removed.

    Raises:
        InvalidInput: The name is empty, contains a slash, backslash or control character,
            starts with a dot or is longer than 255 bytes in UTF-8.
    """
    if not isinstance(filename, str):
        raise InvalidInput(f"A file name must be a string, not {type(filename).__name__}.")
    value = unicodedata.normalize("NFKC", filename).strip()
    if not value:
        raise InvalidInput("The attachment file name is empty; give one such as 'diagram.png'.")
    _check_chars(value, "The attachment file name")
    if "/" in value:
        raise InvalidInput(
            f"The attachment file name {value!r} contains '/'; give a plain file name such as "
            "'diagram.png'; the page it belongs to is a separate argument."
        )
    if value.startswith("."):
        raise InvalidInput(
            f"The attachment file name {value!r} starts with '.'; hidden files are not "
            "allowed, remove the leading dot."
        )
    if len(value.encode("utf-8")) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(
            f"The attachment file name is longer than {MAX_ATTACHMENT_BYTES} bytes; "
            "use a shorter name."
        )
    return value
