"""Git wire-format pieces: pkt-lines, side-band messages, and a response size guard.

Errors must reach the person at the terminal as text `git` prints, never as a broken transfer:
an `ERR` pkt-line (`fatal: remote error: ...`) during a fetch, `ng` reasons and side-band
progress lines (`remote: ...`) during a push, and a `text/plain` body on HTTP errors (git
prints each line of it as `remote: ...` when discovery fails).
"""

from __future__ import annotations

from dulwich.protocol import SIDE_BAND_CHANNEL_PROGRESS, pkt_line

# The transfer limit itself is `Limits.max_request_bytes` (4 MiB: Lambda's 6 MiB payload holds a
# 4 MiB body once base64-encoded, with room for the event around it). Git uses it both ways.

# A request body is gunzipped before parsing; this caps what a small gzip body may expand to.
MAX_INFLATED_BYTES = 64 * 1024 * 1024


def mebibytes(n: int) -> str:
    """`4.0 MiB` style size for messages."""
    return f"{n / 1024 / 1024:.1f} MiB"


class TransferTooLarge(Exception):
    """The response being built would exceed the transfer limit."""


class BoundedBuffer:
    """Collects a response body; raises `TransferTooLarge` past `limit` bytes.

    Raising from `write` stops dulwich's pack generation early, so an oversized clone costs
    only the bytes up to the limit.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        """Append `data` (the write callback dulwich's protocol object calls)."""
        self.size += len(data)
        if self.size > self.limit:
            raise TransferTooLarge
        self.parts.append(data)
        return len(data)

    def getvalue(self) -> bytes:
        """Everything written so far."""
        return b"".join(self.parts)


def err_line(message: str) -> bytes:
    """One `ERR` pkt-line; git stops and prints `fatal: remote error: <message>`."""
    return pkt_line(b"ERR " + message.encode("utf-8", "replace")[:65000])


def progress(message: str) -> bytes:
    """A side-band progress packet; git prints each line as `remote: <line>`."""
    data = message.encode("utf-8", "replace")
    if not data.endswith(b"\n"):
        data += b"\n"
    return pkt_line(bytes([SIDE_BAND_CHANNEL_PROGRESS]) + data[:65000])


def too_large_fetch_message(limit: int) -> str:
    """What a clone or fetch that would exceed the transfer limit tells the user."""
    return (
        f"this clone/fetch needs more than {mebibytes(limit)} in one response, more than one "
        "request can carry (API Gateway and Lambda's 6 MiB payload limit); nothing was sent. "
        "Fetch it in steps, one commit at a time, oldest first: "
        "`git fetch origin +<commit>:refs/remotes/origin/main` (commit ids from "
        "get_recent_changes or the web UI's history); see 'Large wikis' in the README."
    )


def too_large_push_message(size: int, limit: int) -> str:
    """What a push whose pack exceeds the transfer limit tells the user."""
    return (
        f"push of {mebibytes(size)} exceeds the {mebibytes(limit)} a single request can carry "
        "(API Gateway and Lambda's 6 MiB payload limit); nothing was changed. Push in smaller "
        "steps, one commit at a time, oldest first: `git push origin <commit>:main`; see "
        "'Large wikis' in the README."
    )
