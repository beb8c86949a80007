"""Otterwiki's storage exceptions, without importing GitPython.

`library.install()` serves this module's classes as `otterwiki.gitstorage`, so `except
StorageNotFound` in Otterwiki's views catches what `wikibot.web.storage` raises.
"""


class StorageError(Exception):
    """A storage operation failed."""


class StorageErrorEncoding(StorageError):
    """A file is not UTF-8 text."""


class StorageNotFound(StorageError):
    """No such file or revision."""


class StorageUnsafePath(StorageNotFound):
    """A path escapes the repository."""
