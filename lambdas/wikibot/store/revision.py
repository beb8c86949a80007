"""A commit as people, agents and the web UI see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from dulwich.objects import Commit


@dataclass(frozen=True)
class Revision:
    """One commit: id, author, time, message, and optionally what it touched.

    Attributes:
        id: Full commit id (40 hex characters).
        author: Author name.
        email: Author e-mail.
        time: Author time, ISO 8601 UTC with `Z`.
        message: The message, trimmed.
        pages: Page names the commit touched (only where asked for).
        timestamp: Author time as unix seconds.
        files: Repository paths the commit touched (only where asked for).
    """

    id: str
    author: str
    email: str
    time: str
    message: str
    pages: tuple[str, ...] = ()
    timestamp: int = 0
    files: tuple[str, ...] = ()

    @property
    def datetime(self) -> datetime:
        """Author time as a timezone-aware datetime (UTC)."""
        return datetime.fromtimestamp(self.timestamp, UTC)


def revision_of(
    commit: Commit, pages: tuple[str, ...] = (), files: tuple[str, ...] = ()
) -> Revision:
    """The `Revision` of a dulwich commit."""
    raw = commit.author.decode("utf-8", "replace")
    name, _, email = raw.partition(" <")
    when = datetime.fromtimestamp(commit.author_time, UTC).isoformat().replace("+00:00", "Z")
    message = commit.message.decode("utf-8", "replace").strip()
    return Revision(
        commit.id.decode(),
        name,
        email.rstrip(">"),
        when,
        message,
        pages,
        commit.author_time,
        files,
    )
