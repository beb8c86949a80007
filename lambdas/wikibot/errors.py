"""Errors the core raises; adapters (MCP, web, git) map them to their protocol in one place.

Every message says what went wrong and what to do next, because agents act on it.
`http_status` is the one mapping from these errors to HTTP, shared by every door.
"""


class WikibotError(Exception):
    """Base class: a problem the caller can fix or act on."""


class InvalidInput(WikibotError, ValueError):
    """A name, path, body or argument was rejected; nothing was written."""


class TooLarge(InvalidInput):
    """A body exceeded a configured size limit; nothing was written."""


class NotFound(WikibotError, LookupError):
    """The page, revision, attachment, wiki, user or token does not exist."""


class AlreadyExists(WikibotError):
    """The target already exists (create or rename onto an existing page)."""


class Conflict(WikibotError):
    """An update was based on a revision that is no longer current.

    Attributes:
        current: The page's current revision id, so the caller can re-read and retry.
    """

    def __init__(self, message: str, current: str = "") -> None:
        super().__init__(message)
        self.current = current


class Unauthorized(WikibotError):
    """No valid credential was presented (HTTP 401)."""


class Forbidden(WikibotError):
    """The credential is valid but does not grant this wiki or action (HTTP 403)."""


class LimitExceeded(WikibotError):
    """A plan limit (wikis per user, pages or bytes per wiki) would be exceeded; nothing changed."""


# Most specific first: TooLarge is an InvalidInput, so it must be looked at before it.
_STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (Unauthorized, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (AlreadyExists, 409),
    (Conflict, 409),
    (LimitExceeded, 409),
    (TooLarge, 413),
    (InvalidInput, 400),
)


def http_status(exc: BaseException) -> int:
    """The HTTP status every door answers for `exc`: 401, 403, 404, 409, 413, 400, else 500."""
    return next((status for kind, status in _STATUS if isinstance(exc, kind)), 500)
