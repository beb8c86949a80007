"""The write rules of a wiki repository: the one place MCP, the web UI and git push all obey.

Every change to a wiki, whatever door it comes through, is a set of (path, bytes or None) changes
plus a commit message. The store calls `check_changes` before it commits; the Otterwiki adapter
goes through the store's path layer (`wikibot.store.paths`), and git push validation calls
`check_path_change` for every path a pushed commit adds or changes and `check_message` for its
message. So a push can never store what MCP would refuse.

What a path may be (repository paths use `/`, are relative, UTF-8):

- No empty, absolute (`/x`) or relative (`.`, `..`) segments, no backslash, no control
  characters (NUL included), no invisible format characters (Unicode category Cf: zero-width
  spaces and joiners, bidi overrides, word joiners, BOM, soft hyphen), at most 1,024 bytes and
  32 folders deep, each segment at most 255 bytes.
- `.git` in any case as a segment is reserved (so is `.git.` and `.git ` that some file systems
  fold onto it), and so is the store's own `.wikibot` folder.
- A **page** is a `*.md` file whose path is a valid, canonical page file: every segment follows
  the page-name rules of `wikibot.pages.names` (Otterwiki's), in lower case (Otterwiki's default
  file naming, so that `page_file(page_name(path)) == path`). Content: UTF-8 text without NUL,
  at most `Limits.max_page_bytes`.
- An **attachment** is a file that is not `.md`, in a page's attachment folder (page `A/B`'s
  files live in `a/b/`, next to its subpages `a/b/*.md`). Attachment file names follow
  `names.normalize_attachment_name` (no leading dot); a name ending in `.md` is refused
  (it would be a subpage). Content: any bytes up to `Limits.max_attachment_bytes`.
- Any **other file** (neither a page nor an attachment, e.g. `README.txt`, `.gitignore`,
  `.obsidian/app.json`) is allowed from git and the path layer if its path is safe, with the
  attachment size limit; the page API never lists it as a page or an attachment. A `.md` file
  is always a page, so one named outside the page rules (`Notes.MD`, `My.Notes.md`,
  `Projects/Alpha.md`) is refused with the canonical name to use instead: otherwise a page
  would exist in git that no MCP tool or web page can address.
- File modes: only regular files (100644, 100755). Symlinks and submodules (gitlinks) are
  refused (`check_mode`).

Commit messages (`check_message`): no NUL or other control characters except tab and newline,
CRLF becomes LF, surrounding blank space is trimmed, at most `MAX_MESSAGE_CHARS` characters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from enum import Enum

from wikibot.errors import InvalidInput, TooLarge
from wikibot.pages import names
from wikibot.settings import Limits

MAX_MESSAGE_CHARS = 4000
MAX_PATH_BYTES = 1024
MAX_SEGMENT_BYTES = 255
MAX_DEPTH = 32
RESERVED_SEGMENTS = frozenset({".git", ".wikibot"})
ALLOWED_MODES = frozenset({0o100644, 0o100755})


class Kind(Enum):
    """What a repository file is to the wiki."""

    PAGE = "page"
    ATTACHMENT = "attachment"
    OTHER = "other"


# -- names -------------------------------------------------------------------------------------


def page_file(name: str) -> str:
    """The repository file of a page name given by a user or agent.

    Args:
        name: A page name such as ``Projects/Alpha`` (case-insensitive, ``.md`` optional).

    Returns:
        The validated page file, e.g. ``projects/alpha.md``.

    Raises:
        InvalidInput: The name is absolute, unsafe or not a page name Otterwiki can serve.
    """
    if isinstance(name, str) and name.lstrip().startswith("/"):
        # Otterwiki reads "/x" as root-relative, but from an API caller it looks like a file
        # system path: refuse it rather than guess.
        raise InvalidInput(
            f"Page name {name!r} is an absolute path; page names are relative to the wiki "
            "root, e.g. 'Projects/Alpha'."
        )
    return names.page_file(name)


def attachment_path(page: str, filename: str) -> str:
    """The repository path of a page's attachment, e.g. ``projects/alpha/diagram.png``.

    Raises:
        InvalidInput: The page name or file name is unsafe, or the file name ends in ``.md``
            (such a file would be a subpage, not an attachment).
    """
    folder = page_file(page)[:-3]
    safe = names.normalize_attachment_name(filename)
    if safe.lower().endswith(".md"):
        raise InvalidInput(
            f"Attachment name {safe!r} ends in '.md', which is how subpages are stored; "
            "write a page with write_note instead, or rename the file (e.g. 'notes.md.txt')."
        )
    return f"{folder}/{safe}"


# -- paths -------------------------------------------------------------------------------------


def check_path(path: str) -> str:
    """Refuse a repository path that is unsafe anywhere (any door, any kind of file).

    Returns:
        The path, unchanged.

    Raises:
        InvalidInput: Empty, absolute, relative (``.``/``..``), reserved (``.git``), too long
            or deep, or containing control, invisible format characters or a backslash.
    """
    if not isinstance(path, str) or not path:
        raise InvalidInput("A file path must be a non-empty string.")
    if path.startswith("/"):
        raise InvalidInput(f"Path {path!r} is absolute; paths are relative to the wiki root.")
    bad = names.unsafe_char(path)
    if bad:
        raise InvalidInput(f"Path {path!r} contains {bad}; rename the file.")
    if "\\" in path:
        raise InvalidInput(f"Path {path!r} contains a backslash; folders are separated by '/'.")
    try:
        size = len(path.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise InvalidInput(f"Path {path!r} is not valid Unicode text.") from exc
    if size > MAX_PATH_BYTES:
        raise InvalidInput(f"Path is {size} bytes long; the limit is {MAX_PATH_BYTES}.")
    segments = path.split("/")
    if len(segments) > MAX_DEPTH + 1:
        raise InvalidInput(f"Path {path[:80]!r} is nested deeper than {MAX_DEPTH} folders.")
    for seg in segments:
        if seg in ("", ".", ".."):
            raise InvalidInput(
                f"Path {path!r} has an empty, '.' or '..' segment; give a plain relative path."
            )
        if seg.lower().rstrip(". ") in RESERVED_SEGMENTS:
            raise InvalidInput(f"Path {path!r} uses the reserved name {seg!r}.")
        if len(seg.encode("utf-8")) > MAX_SEGMENT_BYTES:
            raise InvalidInput(f"A segment of {path[:80]!r} is longer than 255 bytes.")
    return path


def kind_of(path: str) -> Kind:
    """Whether a safe path is a page, an attachment or another file.

    Raises:
        InvalidInput: The path is unsafe, or it ends in ``.md`` but is not a canonical page
            file (the message names the file to use instead).
    """
    check_path(path)
    if path.lower().endswith(".md"):
        _check_page_path(path)
        return Kind.PAGE
    folder, _, filename = path.rpartition("/")
    if not folder or filename.startswith("."):
        return Kind.OTHER
    try:
        is_page_folder = names.page_file(folder) == folder + ".md"
    except InvalidInput:
        is_page_folder = False
    return Kind.ATTACHMENT if is_page_folder else Kind.OTHER


def _check_page_path(path: str) -> None:
    if not path.endswith(".md"):
        raise InvalidInput(f"Page file {path!r} must end in lower-case '.md'.")
    try:
        canonical = names.page_file(path[:-3])
    except InvalidInput as exc:
        raise InvalidInput(f"File {path!r} is not a valid page file: {exc}") from exc
    if canonical != path:
        raise InvalidInput(
            f"Page file {path!r} is not in canonical form; name it {canonical!r} "
            "(page files are lower-case, without spaces around '/')."
        )


# -- content and changes -------------------------------------------------------------------------


def check_page_content(data: bytes, limits: Limits) -> bytes:
    """Refuse page bytes that are too large, not UTF-8, or contain NUL; return them unchanged."""
    if len(data) > limits.max_page_bytes:
        raise TooLarge(
            f"Page is {len(data):,} bytes; the limit is {limits.max_page_bytes:,}. "
            "Split it into several linked pages."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"Page content is not valid UTF-8 (byte {exc.start}); send UTF-8 text."
        ) from exc
    if "\x00" in text:
        raise InvalidInput("Page content contains a NUL character; send plain text.")
    return data


def check_attachment_content(data: bytes, limits: Limits) -> bytes:
    """Refuse attachment bytes larger than the limit; return them unchanged."""
    if len(data) > limits.max_attachment_bytes:
        raise TooLarge(
            f"Attachment is {len(data):,} bytes; the limit is {limits.max_attachment_bytes:,}."
        )
    return data


def check_mode(path: str, mode: int) -> None:
    """Refuse a tree entry that is not a regular file (symlink, submodule)."""
    if mode not in ALLOWED_MODES:
        raise InvalidInput(
            f"{path!r} has git mode {mode:o}; only regular files are allowed (no symlinks "
            "or submodules)."
        )


def check_path_change(path: str, data: bytes | None, limits: Limits) -> Kind:
    """Validate one change: `data` written at `path`, or `None` to delete it.

    Deleting is allowed for any safe path (so a push can remove a file that predates the
    rules). Writing must satisfy the path rules and the content rules of the file's kind.

    Returns:
        The kind of file (page or attachment).

    Raises:
        InvalidInput: The path or content breaks a rule.
        TooLarge: The content exceeds its limit.
    """
    if data is None:
        check_path(path)
        try:
            return kind_of(path)
        except InvalidInput:
            return Kind.PAGE  # a non-canonical .md file from before the rules may be removed
    kind = kind_of(path)
    if kind is Kind.PAGE:
        check_page_content(data, limits)
    else:
        check_attachment_content(data, limits)
    return kind


def check_changes(changes: Iterable[tuple[str, bytes | None]], limits: Limits) -> None:
    """Validate every change of one commit (see `check_path_change`)."""
    for path, data in changes:
        check_path_change(path, data, limits)


def check_message(message: str) -> str:
    """Normalise a commit message, or refuse it.

    Returns:
        The message with CRLF/CR as LF and surrounding blank space trimmed (may be empty).

    Raises:
        InvalidInput: It contains NUL or another control character (tab and newline are fine).
        TooLarge: It is longer than `MAX_MESSAGE_CHARS` characters.
    """
    if not isinstance(message, str):
        raise InvalidInput("A commit message must be text.")
    text = message.replace("\r\n", "\n").replace("\r", "\n").strip()
    for ch in text:
        if ch not in "\n\t" and unicodedata.category(ch) in ("Cc", "Cs"):
            raise InvalidInput(
                f"The commit message contains the control character U+{ord(ch):04X}; "
                "send plain text."
            )
    if len(text) > MAX_MESSAGE_CHARS:
        raise TooLarge(
            f"The commit message is {len(text):,} characters; the limit is "
            f"{MAX_MESSAGE_CHARS:,}. Put long explanations in the page itself."
        )
    return text
