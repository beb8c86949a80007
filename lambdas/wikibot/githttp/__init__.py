"""Git smart HTTP for every wiki (`/{user}/{wiki}.git`): clone, fetch and validated push.

The wiki Lambda hands requests under `/{user}/{wiki}.git/` to `make_app(settings)`, a WSGI app
built on dulwich's server side (no `git` binary at runtime). Imported lazily so the web UI's
cold start does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wikibot.githttp.app import GitHttpApp
    from wikibot.settings import Settings

__all__ = ["make_app"]


def make_app(settings: Settings) -> GitHttpApp:
    """The WSGI app serving git smart HTTP for every wiki under `settings.data_root`."""
    from wikibot.githttp.app import GitHttpApp

    return GitHttpApp(settings)
