"""Otterwiki's attachments read from the repository: there is no work tree in library mode.

Otterwiki's `Attachment` and its DataTable embedding (a CSV attachment shown as a table) read
files under `storage.path`. In library mode that folder is only a scratch space for uploads, so:

- `Attachment.exists/data/get` ask the storage (bytes at the request's head);
- the DataTable embedding's `open(attachment.abspath)` reads the repository: the module's `open`
  maps a path under `storage.path` to the file's bytes in the store and leaves any other path
  (and any write) to the builtin.
"""

from __future__ import annotations

import builtins
import io
import os
from io import BytesIO
from typing import Any


def install(storage: Any) -> None:
    """Patch Otterwiki's attachment readers (once, at boot) to read through `storage`."""
    _serve_from_store()
    _read_embedded_files_from_store(storage)


def _read_embedded_files_from_store(storage: Any) -> None:
    import otterwiki.renderer_embeddings as embeddings

    from wikibot.web.errors import StorageNotFound

    def store_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        name = os.fspath(file) if isinstance(file, str | os.PathLike) else None
        if name is None or any(flag in mode for flag in "wax+"):
            return builtins.open(file, mode, *args, **kwargs)
        target = storage.target
        relative = os.path.relpath(os.path.abspath(name), os.path.abspath(target.path))
        if relative == ".." or relative.startswith("../"):
            return builtins.open(file, mode, *args, **kwargs)
        try:
            data = target.load(relative, mode="rb")
        except StorageNotFound as exc:
            raise FileNotFoundError(name) from exc
        if "b" in mode:
            return BytesIO(data)
        encoding = kwargs.get("encoding") or (args[1] if len(args) > 1 else None) or "utf-8"
        newline = kwargs.get("newline", args[3] if len(args) > 3 else None)
        return io.StringIO(data.decode(encoding), newline=newline)

    embeddings.open = store_open  # a module global shadows the builtin for that module only


def _serve_from_store() -> None:
    """Otterwiki's `Attachment` reads a work tree; these methods read the repository instead."""
    import otterwiki.wiki as wiki
    from flask import abort, make_response, send_file
    from otterwiki.util import sizeof_fmt

    original = wiki.Attachment

    class StoreAttachment(original):  # type: ignore[misc, valid-type]
        def exists(self) -> bool:
            return wiki.storage.exists(self.filepath) and not wiki.storage.isdir(self.filepath)

        @property
        def data(self) -> dict:
            info = dict(
                filename=self.filename,
                filepath=self.filepath,
                url=self.get_url(),
                thumbnail_url=self.get_thumbnail_url(),
                thumbnail_icon=self.get_thumbnail_icon(),
                filesize=sizeof_fmt(wiki.storage.size(self.filepath)),
                datetime=self.datetime,
                mimetype=self.mimetype,
                revision=self._revision,
                author_name=self.author_name,
                author_email=self.author_email,
                message=self.message,
            )
            return info

        def get(self) -> Any:
            if self.revision is not None:
                return super().get()  # already reads bytes at a revision
            if not wiki.has_permission("READ"):
                abort(403)
            if not self.exists():
                abort(404)
            content = wiki.storage.load(self.filepath, mode="rb")
            response = make_response(
                send_file(
                    BytesIO(content),
                    mimetype=self.mimetype or "application/octet-stream",
                    as_attachment=self.mimetype in wiki.ATTACHMENT_FORCE_DOWNLOAD,
                    download_name=self.filename,
                )
            )
            return self._harden_response(response)

    wiki.Attachment = StoreAttachment
