"""What wikibot adds to Otterwiki's Flask app: platform mode, base revisions, cache headers.

Registered once after `library.boot()`; Otterwiki's views stay as they are.

- Platform mode: identity comes from proxy headers set by `wikibot.web.app`; Otterwiki's login,
  registration, user admin, mail, repository management and `/.git` routes answer 404.
- Base revision: the editor form gets a hidden `wikibot_base` (the revision of the page the
  editor opened). A save whose page changed since is refused with `Conflict`; the text the user
  typed is kept as an Otterwiki draft and Otterwiki's own draft view shows what changed, so the
  user merges and saves again. Never a silent overwrite.
- Attachments: read from the repository, not from a work tree (`wikibot.web.attachments`).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from wikibot.errors import Conflict, InvalidInput, TooLarge
from wikibot.web import attachments

BLOCKED_ENDPOINTS = frozenset(
    {
        "login",
        "register",
        "logout",
        "lost_password",
        "confirm_email",
        "recover_password",
        "request_confirmation_link",
        "settings",
        "change_password",
        "user",
        "admin_user_management",
        "admin_repository_management",
        "admin_permissions_and_registration",
        "admin_mail_preferences",
        "housekeeping",
        "security_check",
        "pull_webhook",
        "git_info_refs",
        "git_upload_pack",
        "git_receive_pack",
        "dotgit",
    }
)
NO_STORE_ENDPOINTS = frozenset({"edit", "preview", "draft", "discard_draft", "save"})
_CONTENT_INPUT = re.compile(r'(<input id="save_content" type="hidden" name="content" value="">)')
_ROOT_URL = re.compile(r'((?:href|src)=")(/(?!/)[^"]*)"')


def install(app: Any, storage: Any) -> None:
    """Register wikibot's request hooks and error handlers on Otterwiki's app."""
    from flask import abort, request

    @app.before_request
    def platform_mode() -> None:
        if request.endpoint == "settings" and request.environ.get("wikibot.anonymous"):
            abort(403)  # the menu's link for an anonymous reader: wikibot.web.app offers sign-in
        if request.endpoint in BLOCKED_ENDPOINTS or (
            request.endpoint and request.endpoint.startswith(("git_", "admin_user"))
        ):
            abort(404)
        if request.endpoint == "save":
            base = request.form.get("wikibot_base", "")
            # No base (an old form, a script): Otterwiki's behaviour, last write wins.
            storage.target.save_base = base or None

    @app.after_request
    def after(response: Any) -> Any:
        if _is_editor(request, response):
            _inject_base(response, storage, request)
        if response.mimetype == "text/html" and not response.direct_passthrough:
            _mount_template_links(response, request.script_root)
        if request.endpoint in NO_STORE_ENDPOINTS or "edit" in request.args:
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(Conflict)
    def conflict(exc: Conflict) -> Any:
        return _keep_as_draft(storage)

    @app.errorhandler(InvalidInput)
    def refused(exc: InvalidInput) -> Any:
        # The store's write rules (one module for MCP, git and the UI) refused the change.
        from html import escape

        from flask import make_response

        back = '<p><a href="javascript:history.back()">Back</a></p>'
        body = f"<h1>Not saved</h1><p>{escape(str(exc))}</p>{back}"
        response = make_response(body, 413 if isinstance(exc, TooLarge) else 400)
        response.headers["Cache-Control"] = "no-store"
        return response

    attachments.install(storage)
    _register_link_prefixer()
    _cache_sidebar_headers(storage)


def install_view_wrappers(app: Any) -> None:
    """Wrap Otterwiki's views where wikibot changes their behaviour (after the views import)."""
    _thumbnail_or_original(app)


def _thumbnail_or_original(app: Any) -> None:
    """Serve the attachment itself when Pillow cannot make a thumbnail of it.

    Otterwiki answers 500 for an image Pillow cannot read: a damaged file, or a format the
    Lambda zip leaves out (AVIF: decision 0013). The browser can often show the original.
    """
    thumbnail = app.view_functions["get_attachment_thumbnail"]
    original = app.view_functions["get_attachment"]

    def thumbnail_or_original(pagepath: str, filename: str, size: int = 80) -> Any:
        try:
            return thumbnail(pagepath, filename, size)
        except (OSError, SyntaxError, ValueError) as exc:  # what PIL raises for unreadable images
            if not _raised_by_pil(exc):
                raise
            return original(pagepath, filename)

    app.view_functions["get_attachment_thumbnail"] = thumbnail_or_original


def _raised_by_pil(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and str(tb.tb_frame.f_globals.get("__name__", "")).startswith("PIL")


def _cache_sidebar_headers(storage: Any) -> None:
    """The sidebar reads the first heading of every page on every view; keep it per blob id.

    A blob id names the file's content, so the cached heading can never be stale.
    """
    from otterwiki.sidebar import SidebarPageIndex

    from wikibot.store.cache import LRU

    read_header = SidebarPageIndex.read_header

    def cached(self: Any, filename: str) -> str | None:
        target = storage.target
        blob = target.blob_id(filename)
        if blob is None or target.headings is None:
            return read_header(self, filename)
        return target.headings.get(blob, lambda: read_header(self, filename))

    SidebarPageIndex.read_header = cached

    # The whole page tree is a function of the head tree, the folder and the sidebar settings:
    # build it once per head (Otterwiki's views only read it), in memory and in ui-sidebar.json.
    init = SidebarPageIndex.__init__
    trees: LRU[dict] = LRU(256)
    settings = (
        "SIDEBAR_MENUTREE_MODE",
        "SIDEBAR_MENUTREE_FOCUS",
        "SIDEBAR_MENUTREE_MAXDEPTH",
        "SIDEBAR_MENUTREE_IGNORE_CASE",
        "RETAIN_PAGE_NAME_CASE",
    )

    def cached_init(self: Any, path: str | None = None, mode: str = "", filter_order=True):
        from otterwiki.server import app
        from otterwiki.util import get_page_directoryname

        target = storage.target
        tree = target.tree_id()
        if tree is None or target.has_pending():
            return init(self, path, mode, filter_order)
        config = tuple(str(app.config.get(k)) for k in settings)
        folder = get_page_directoryname(path or "/")  # the tree depends on the folder only
        key = repr((tree, folder, mode, filter_order, config)).encode()

        def build() -> dict:
            saved = target.sidebar.get(tree.decode(), key.decode()) if target.sidebar else None
            if saved is not None:
                return saved
            init(self, path, mode, filter_order)
            if target.sidebar:
                target.sidebar.put(tree.decode(), key.decode(), dict(self.__dict__))
            return dict(self.__dict__)

        self.__dict__.update(trees.get_or_make(key, build))

    SidebarPageIndex.__init__ = cached_init


def _register_link_prefixer() -> None:
    """Otterwiki writes wiki-root links (`[[Page]]` -> `/Page`) without its mount point.

    The wiki lives at `/{user}/{wiki}/`, so a root-relative URL in rendered Markdown gets the
    request's script root, through Otterwiki's own plugin hooks for links, images and WikiLinks.
    URLs Otterwiki already built with `url_for` (attachments as `./file`) are left alone.
    """
    import pluggy
    from otterwiki.plugins import plugin_manager

    hookimpl = pluggy.HookimplMarker("otterwiki")

    def prefix(html: str) -> str:
        from flask import has_request_context, request

        root = request.script_root if has_request_context() else ""
        if not root:
            return html

        def fix(m: re.Match) -> str:
            url = m.group(2)
            if url.startswith(root + "/") and "/./" in url:
                return m.group(0)  # Otterwiki's page-relative attachment URL, already mounted
            return f'{m.group(1)}{root}{url}"'

        return _ROOT_URL.sub(fix, html, count=1)

    class MountPoint:
        @hookimpl
        def renderer_process_link(self, link_html, link_url, link_text, link_title, page):
            return prefix(link_html)

        @hookimpl
        def renderer_process_image(self, image_html, image_src, image_alt, image_title, page):
            return prefix(image_html)

        @hookimpl
        def renderer_process_wikilink(self, wikilink_html, wikilink_url, wikilink_text, page):
            return prefix(wikilink_html)

    if not plugin_manager.has_plugin("wikibot-mount-point"):
        plugin_manager.register(MountPoint(), name="wikibot-mount-point")


def _is_editor(request: Any, response: Any) -> bool:
    return (
        response.status_code == 200
        and response.mimetype == "text/html"
        and request.endpoint in ("edit", "view")
        and not response.direct_passthrough
    )


@functools.lru_cache(maxsize=256)
def _unmounted_url(root: str) -> re.Pattern:
    """Root-relative URLs not yet under `root`.

    Not `//host`, not /_static/ (shared by every wiki: CloudFront from S3,
    wikibot.web.app.STATIC_ROOT), not `root` itself or below it.
    """
    return re.compile(r'((?:href|src|action)=")/(?!/|_static/|' + re.escape(root[1:]) + r'(?:/|"))')


def _mount_template_links(response: Any, root: str) -> None:
    """Prefix root-relative URLs that Otterwiki's templates hardcode (the sidebar page tree).

    One substitution in C (the sidebar of a 1,000-page wiki has thousands of links).
    """
    if not root:
        return
    body = response.get_data(as_text=True)
    replacement = "\\g<1>" + root.replace("\\", "\\\\") + "/"
    response.set_data(_unmounted_url(root).sub(replacement, body))


def _inject_base(response: Any, storage: Any, request: Any) -> None:
    """Put the page's current revision into the editor's save form."""
    body = response.get_data(as_text=True)
    if 'id="saveform"' not in body:
        return
    from otterwiki.helper import get_filename

    path = (request.view_args or {}).get("path", "")
    sha = storage.target.last_change(get_filename(path)) if path else None
    exists = sha is not None and storage.target.exists(get_filename(path))
    base = sha.decode() if exists else "new"
    field = f'<input type="hidden" name="wikibot_base" value="{base}">'
    response.set_data(_CONTENT_INPUT.sub(lambda m: m.group(1) + field, body))


def _keep_as_draft(storage: Any) -> Any:
    """A save lost to a concurrent change: keep the user's text as a draft and show the diff."""
    import otterwiki.auth
    from flask import make_response, request
    from otterwiki.helper import toast
    from otterwiki.wiki import Page

    path = (request.view_args or {}).get("path", "")
    content = request.form.get("content", "").replace("\r\n", "\n").strip() + "\n"
    base = storage.target.save_base or ""
    storage.target.refresh()  # read the page as it is now
    author = otterwiki.auth.get_author()
    page = Page(path)
    page.save_draft(author, content, revision="" if base == "new" else base[:6])
    toast(
        f"{page.pagename_full} was changed by someone else after you opened the editor. "
        "Your text is kept as a draft: review the changes below, continue editing the draft "
        "to merge them, and save again.",
        "warning",
    )
    response = make_response(page.editor(author=author, handle_draft=None), 409)
    response.headers["Cache-Control"] = "no-store"
    return response
