"""The WSGI app for git smart HTTP at `/{user}/{wiki}.git/...`.

Paths: `info/refs?service=...` (advertisement), `git-upload-pack`, `git-receive-pack`.

One request is one stateless exchange (as on Lambda): the body is read whole, the credential
resolved through the one `Authorizer`, then dulwich's upload-pack (clone, fetch) or the guarded
receive-pack (push) runs against that wiki's bare repository and the response is returned whole.
Only smart HTTP is served: the dumb protocol would expose raw repository files.

Status codes: 401 with a Basic challenge when no (valid) credential was sent, so git asks its
credential helper; 403 for a credential that does not grant this wiki or action; 404 for paths
that are not git's. Bodies of errors are `text/plain`, which git prints as `remote:` lines.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gzip
import io
import logging
import re
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import parse_qs

from dulwich.errors import GitProtocolError, HangupException
from dulwich.protocol import ReceivableProtocol, pkt_line
from dulwich.repo import Repo
from dulwich.server import Backend

from wikibot.auth.access import Authorizer
from wikibot.errors import Forbidden, InvalidInput, Unauthorized, WikibotError, http_status
from wikibot.githttp import upload, wire
from wikibot.githttp.receive import GuardedReceivePack
from wikibot.githttp.upload import TolerantUploadPack
from wikibot.provision import check_room, record_usage
from wikibot.registry import Registry, open_registry
from wikibot.settings import Settings
from wikibot.store import wiki_path

log = logging.getLogger("wikibot.githttp")

GIT_PATH = re.compile(r"/(?P<user>[^/]+)/(?P<wiki>[^/]+)\.git(?P<rest>/.*)?")
SERVICES = {"git-upload-pack": "read", "git-receive-pack": "write"}
CHALLENGE = ("WWW-Authenticate", 'Basic realm="wikibot"')
NO_CACHE = [
    ("Expires", "Fri, 01 Jan 1980 00:00:00 GMT"),
    ("Pragma", "no-cache"),
    ("Cache-Control", "no-cache, max-age=0, must-revalidate"),
]

Response = tuple[int, list[tuple[str, str]], bytes]
StartResponse = Callable[[str, list[tuple[str, str]]], object]
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 405: "Method Not Allowed", 413: "Payload Too Large",
            500: "Internal Server Error"}  # fmt: skip


class _OneRepo(Backend):
    """dulwich's handlers open their repository through a backend; this one holds one repo."""

    def __init__(self, repo: Repo):
        self.repo = repo

    def open_repository(self, path: str) -> Repo:
        return self.repo


def text(status: int, message: str, headers: Iterable[tuple[str, str]] = ()) -> Response:
    """A plain-text response (git shows text/plain error bodies to the user)."""
    body = (message.rstrip("\n") + "\n").encode()
    return status, [("Content-Type", "text/plain; charset=utf-8"), *headers, *NO_CACHE], body


def credential(environ: dict) -> tuple[str, str | None]:
    """("basic" | "bearer", secret) from the Authorization header; secret None if absent.

    Basic: the password is the API token and the username is ignored (a token given as the
    username with an empty password, as in `https://TOKEN@host/...`, is accepted too).
    Bearer: for `git -c http.extraHeader="Authorization: Bearer ..."`.
    """
    header = environ.get("HTTP_AUTHORIZATION", "").strip()
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return "bearer", value.strip() or None
    if scheme.lower() != "basic":
        return "basic", None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "basic", None
    username, _, password = decoded.partition(":")
    return "basic", (password or username) or None


class GitHttpApp:
    """Git smart HTTP for every wiki under `settings.data_root`.

    Args:
        settings: Data root, registry, limits.
        registry: An open registry (default: `open_registry(settings)`).
        max_transfer_bytes: Largest request or response body (default:
            `settings.limits.max_request_bytes`, what fits Lambda's 6 MiB payload once
            base64-encoded).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        registry: Registry | None = None,
        max_transfer_bytes: int | None = None,
    ):
        self.settings = settings
        self.registry = registry or open_registry(settings)
        self.authorizer = Authorizer(self.registry, settings)
        self.max_transfer_bytes = max_transfer_bytes or settings.limits.max_request_bytes

    def __call__(self, environ: dict, start_response: StartResponse) -> list[bytes]:
        """WSGI entry point."""
        try:
            status, headers, body = self.serve(environ)
        except Exception:
            log.exception("git request failed")
            status, headers, body = text(500, "Internal error in the git service; try again.")
        headers = [*headers, ("Content-Length", str(len(body)))]
        start_response(f"{status} {_REASONS.get(status, 'Error')}", headers)
        return [body]

    # -- routing -------------------------------------------------------------------------------

    def serve(self, environ: dict) -> Response:
        """Route one request and return (status, headers, body)."""
        path = environ.get("PATH_INFO", "")
        match = GIT_PATH.fullmatch(path)
        if match is None:
            return text(404, "Not a git URL; clone https://HOST/{user}/{wiki}.git")
        user, wiki, rest = match["user"], match["wiki"], match["rest"] or ""
        method = environ.get("REQUEST_METHOD", "GET").upper()
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if rest == "/info/refs" and method in ("GET", "HEAD"):
            service = (query.get("service") or [""])[0]
            if service not in SERVICES:
                return text(
                    403,
                    "Only git's smart HTTP protocol is served; use git 1.6.6 or newer.",
                )
            advertise = True
        elif rest[1:] in SERVICES and method == "POST":
            service, advertise = rest[1:], False
            if environ.get("CONTENT_TYPE") != f"application/x-{service}-request":
                return text(400, f"Expected Content-Type application/x-{service}-request.")
        else:
            return text(404, f"{method} {rest or '/'} is not part of git's smart HTTP protocol.")

        denied = self.authorize(environ, user, wiki, SERVICES[service])
        if denied is not None:
            return denied
        repo_dir = wiki_path(self.settings.data_root, user, wiki)
        if not (repo_dir / "objects").is_dir():
            return text(404, f"The wiki {user}/{wiki} has no repository.")
        if advertise:
            return self.advertise(service, repo_dir)
        return self.exchange(service, repo_dir, environ, self._quota(user, wiki))

    def _quota(self, user: str, wiki: str) -> Callable[..., None]:
        """The plan's pages and bytes per wiki, checked before a push lands and recorded after."""

        def quota(pages: int, size: int, *, landed: bool = False) -> None:
            record = self.registry.get_wiki(user, wiki)
            if not landed:
                check_room(self.settings, record, add_pages=pages, add_bytes=size)
                return
            page_count, total = max(0, record.page_count + pages), max(0, record.bytes + size)
            record_usage(self.registry, user, wiki, page_count, total)

        return quota

    def authorize(self, environ: dict, user: str, wiki: str, permission: str) -> Response | None:
        """None if the request's credential grants `permission`, else the error response."""
        scheme, secret = credential(environ)
        try:
            if scheme == "bearer":
                access = self.authorizer.resolve(secret, user, wiki)
            else:
                access = self.authorizer.resolve_basic(secret, user, wiki)
            access.require(permission)
        except Unauthorized as exc:
            hint = "Use an API token of this wiki as the git password (any user name)."
            reason = str(exc) if secret else "This wiki is private."
            return text(401, f"{reason} {hint}", [CHALLENGE])
        except Forbidden as exc:
            if secret is None:
                # Anonymous on a public wiki, asking to push: ask for a credential instead.
                return text(401, "Pushing needs an API token as the password.", [CHALLENGE])
            return text(403, str(exc))
        except InvalidInput:
            # A user or wiki name no wiki can have: the same answer as a wiki you cannot see.
            return text(403, "This credential does not grant access to this wiki.")
        return None

    # -- git -----------------------------------------------------------------------------------

    def advertise(self, service: str, repo_dir: Path) -> Response:
        """GET info/refs?service=...: the ref advertisement."""
        out = wire.BoundedBuffer(self.max_transfer_bytes)
        out.write(pkt_line(f"# service={service}\n".encode()))
        out.write(pkt_line(None))
        proto = ReceivableProtocol(io.BytesIO().read, out.write)
        with Repo(str(repo_dir)) as repo:
            handler = self._handler(service, repo, proto, advertise=True)
            handler.handle()
        content_type = f"application/x-{service}-advertisement"
        return 200, [("Content-Type", content_type), *NO_CACHE], out.getvalue()

    def exchange(
        self, service: str, repo_dir: Path, environ: dict, quota: Callable[..., None]
    ) -> Response:
        """POST git-upload-pack / git-receive-pack: one stateless request and its response."""
        try:
            body = self.read_body(environ)
        except wire.TransferTooLarge:
            return text(413, "The request body is too large.")
        except (OSError, EOFError, zlib.error, ValueError):
            return text(400, "The request body could not be read (bad gzip or chunking).")
        content_type = f"application/x-{service}-result"
        headers = [("Content-Type", content_type), *NO_CACHE]
        # A clone first goes out without deltas (fast); only if that pack is over the limit is
        # it built again with trees and commits as deltas (dulwich computes them in Python:
        # slower, but a wiki's history of near-identical trees shrinks ~15x).
        for deltas in (False, True) if service == "git-upload-pack" else (False,):
            out = wire.BoundedBuffer(self.max_transfer_bytes)
            proto = ReceivableProtocol(io.BytesIO(body).read, out.write)
            with Repo(str(repo_dir)) as repo:
                handler = self._handler(service, repo, proto, body=body, quota=quota)
                try:
                    with upload.deltified() if deltas else contextlib.nullcontext():
                        handler.handle()
                except wire.TransferTooLarge:
                    continue
                except (GitProtocolError, HangupException) as exc:
                    return text(400, f"git protocol error: {exc}")
                except WikibotError as exc:
                    return text(http_status(exc), str(exc))
            return 200, headers, out.getvalue()
        # Trigger: the pack for this clone/fetch outgrew the response limit even with deltas.
        # Outcome: one ERR line instead of a truncated pack; git prints it and stops.
        return 200, headers, wire.err_line(wire.too_large_fetch_message(self.max_transfer_bytes))

    def _handler(
        self,
        service: str,
        repo: Repo,
        proto: ReceivableProtocol,
        *,
        advertise: bool = False,
        body: bytes = b"",
        quota: Callable[..., None] | None = None,
    ) -> TolerantUploadPack | GuardedReceivePack:
        backend = _OneRepo(repo)
        if service == "git-upload-pack":
            return TolerantUploadPack(backend, ["/"], proto, body=body, advertise_refs=advertise)
        return GuardedReceivePack(
            backend,
            ["/"],
            proto,
            limits=self.settings.limits,
            body_bytes=len(body),
            max_transfer_bytes=self.max_transfer_bytes,
            quota=quota,
            advertise_refs=advertise,
        )

    def read_body(self, environ: dict) -> bytes:
        """The request body, de-chunked and gunzipped, bounded.

        A push larger than the transfer limit is still read (up to 4x the limit) so that
        receive-pack can refuse it with a message git prints instead of a bare HTTP error.
        """
        hard_limit = 4 * self.max_transfer_bytes
        stream = environ["wsgi.input"]
        declared = environ.get("CONTENT_LENGTH") or ""
        # On Lambda the gateway has already de-chunked the body and apig-wsgi sets its length
        # (a `Transfer-Encoding: chunked` header may still be there); a plain WSGI server
        # passes a chunked body through without a length.
        if not declared and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            from dulwich.web import ChunkReader

            raw = ChunkReader(stream).read(hard_limit + 1)
        else:
            length = int(declared or 0)
            if length > hard_limit:
                raise wire.TransferTooLarge
            raw = stream.read(length) if length else b""
        if len(raw) > hard_limit:
            raise wire.TransferTooLarge
        if environ.get("HTTP_CONTENT_ENCODING", "").lower() in ("gzip", "x-gzip"):
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unzipped:
                raw = unzipped.read(wire.MAX_INFLATED_BYTES + 1)
            if len(raw) > wire.MAX_INFLATED_BYTES:
                raise wire.TransferTooLarge
        return raw
