"""Compiled regular expressions kept for the next cold start, as `.pyc` keeps compiled code.

Booting Otterwiki and rendering the first page compiles ~260 regular expressions (bs4's table of
HTML entities, mistune's scanners, yaml, werkzeug, unidiff, ...): ~90 ms of a ~600 ms cold page
here. What CPython's regex compiler produces for a pattern is a list of ints (the sre program)
and its group tables: a pure function of (pattern, flags) and the Python build. Inside `kept()`
(the first page view of a process) this module hands programs saved by an earlier cold start to
`_sre.compile`, which validates them as it validates `re`'s own output, and saves the ones it had
to compile. Everything after the first page view uses `re` untouched.

CPython-private (`re._compiler`, `_sre.compile`, both of the Python 3.12 runtime): the file is
named by the Python version and `_sre.MAGIC`, and an entry `_sre.compile` refuses is compiled
anew by the same steps as `re._compiler.compile`.
"""

from __future__ import annotations

import marshal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# A few patterns differ in every process (bs4 builds its entity regex from a set, whose order
# follows the string hash seed), so some are compiled on every cold start. The file is written
# when it is missing or when more than this many were compiled (new code, another kind of page),
# with the programs this page view used: one file, one page view's worth, never growing.
REWRITE_AFTER = 16


@contextmanager
def kept(folder: Path | None) -> Iterator[None]:
    """Use and extend the saved regex programs in `folder` until the block ends."""
    if folder is None:
        yield
        return
    import _sre
    import re._compiler as compiler

    path = folder / f"regex-{sys.hexversion:x}-{_sre.MAGIC}.marshal"
    programs = _load(path)
    used: dict[tuple, tuple] = {}
    learned: dict[tuple, tuple] = {}
    original = compiler.compile

    def compile(p: Any, flags: int = 0) -> Any:
        if not isinstance(p, str | bytes) or flags & compiler.SRE_FLAG_DEBUG:
            return original(p, flags)
        key = (p, int(flags))
        saved = programs.get(key)
        if saved is not None:
            try:
                compiled = _sre.compile(p, *saved)
                used[key] = saved
                return compiled
            except (RuntimeError, TypeError, ValueError):
                pass  # damaged or foreign: compile it again
        learned[key] = program = _program(compiler, p, flags)
        return _sre.compile(p, *program)

    compiler.compile = compile
    try:
        yield
    finally:
        compiler.compile = original
        if learned and (not programs or len(learned) > REWRITE_AFTER):
            _save(path, {**used, **learned})


def _program(compiler: Any, pattern: str | bytes, flags: int) -> tuple:
    """`re._compiler.compile`'s steps up to `_sre.compile`: its arguments after the pattern."""
    from re import _parser

    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in compiler._code(parsed, flags)]  # plain ints: marshal-able
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    groups = parsed.state.groups - 1
    return (int(flags | parsed.state.flags), code, groups, groupindex, tuple(indexgroup))


def _load(path: Path) -> dict:
    try:
        programs = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return programs if isinstance(programs, dict) else {}


def _save(path: Path, programs: dict) -> None:
    from wikibot.files import write_private

    try:
        write_private(path, marshal.dumps(programs))
    except (OSError, ValueError):
        pass  # a read-only data folder (or an unmarshallable pattern): compiled again next time
