"""Git-style patches and line blame from trees, for Otterwiki's diff, commit and blame views.

Otterwiki parses `git diff` output with unidiff; `patch()` writes the same shape (`diff --git`,
`---`/`+++`, hunks; "Binary files ... differ" for non-text) from two trees, without a `git` binary.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from dulwich.diff_tree import tree_changes

if TYPE_CHECKING:
    from wikibot.store.repo import GitRepo


def changed_paths(repo: GitRepo, old_tree: bytes | None, new_tree: bytes | None) -> set[str]:
    """Paths added, changed or removed between two trees."""
    changed = set()
    for change in tree_changes(repo.objects, old_tree, new_tree):
        for side in (change.old, change.new):
            if side is not None and side.path is not None:
                changed.add(side.path.decode("utf-8", "replace"))
    return changed


def _side(entry) -> tuple[str | None, bytes | None]:
    """(path, blob id) of one side of a change; dulwich gives None (or None fields) when absent."""
    if entry is None or entry.path is None:
        return None, None
    return entry.path.decode("utf-8", "replace"), entry.sha


def _text(data: bytes) -> list[str] | None:
    if b"\0" in data[:8000]:
        return None
    try:
        return data.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return None


def patch(repo: GitRepo, old_tree: bytes | None, new_tree: bytes | None) -> str:
    """A unified patch of every file that differs between two trees, in path order."""
    out: list[str] = []
    changes = sorted(
        ((_side(c.old), _side(c.new)) for c in tree_changes(repo.objects, old_tree, new_tree)),
        key=lambda sides: sides[1][0] or sides[0][0] or "",
    )
    for (old_path, old_sha), (new_path, new_sha) in changes:
        path = new_path or old_path
        old = repo.objects[old_sha].data if old_sha else b""
        new = repo.objects[new_sha].data if new_sha else b""
        out.append(f"diff --git a/{path} b/{path}\n")
        if old_path is None:
            out.append("new file mode 100644\n")
        elif new_path is None:
            out.append("deleted file mode 100644\n")
        source = f"a/{path}" if old_path else "/dev/null"
        target = f"b/{path}" if new_path else "/dev/null"
        old_lines, new_lines = _text(old), _text(new)
        if old_lines is None or new_lines is None:
            out.append(f"Binary files {source} and {target} differ\n")
            continue
        hunks = list(difflib.unified_diff(old_lines, new_lines, source, target, n=3))
        for line in hunks:
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def blame_lines(versions: list[str]) -> list[int]:
    """For each line of `versions[0]` (newest first), the index of the version that wrote it."""
    newest = versions[0].splitlines()
    owner = [0] * len(newest)
    # live[i] = line index in the version being compared, for newest lines still unattributed
    live = {i: i for i in range(len(newest))}
    current = newest
    for age in range(1, len(versions)):
        if not live:
            break
        older = versions[age].splitlines()
        matcher = difflib.SequenceMatcher(None, older, current, autojunk=False)
        carried: dict[int, int] = {}
        for a, b, size in matcher.get_matching_blocks():
            for k in range(size):
                carried[b + k] = a + k
        next_live = {}
        for line, index in live.items():
            if index in carried:
                next_live[line] = carried[index]
                owner[line] = age
            # else: the line first appears in version age-1, which `owner` already says
        live = next_live
        current = older
    return owner
