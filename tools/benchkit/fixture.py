"""The benchmark wiki: a data folder with a user, a wiki with N pages and M commits, a token.

History shape (what issue 6 measures): commits 1..N create `Topic 0..N-1` one by one; the rest
update pages in the first half round-robin. So `Topic {N-1}` was last changed exactly M-N commits
before head (~1,000 with the defaults) and `Topic 0` recently.

The stock Otterwiki baseline gets a work-tree clone of the same repository (its GitStorage needs
one, and the `git` binary).
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchkit.stats import Progress

USER, WIKI = "bench", "wiki"
WORDS = (
    "agent memory wiki page git commit revision search link note plan decision context "
    "project person reference summary detail background result idea"
).split()


@dataclass
class Fixture:
    """Where the benchmark wiki lives and how to reach it."""

    data: str
    user: str
    wiki: str
    token: str
    pages: int
    commits: int
    old_page: str  # last changed ~(commits - pages) commits back
    missing_page: str
    worktree: str  # stock Otterwiki's clone
    stock_settings: str  # OTTERWIKI_SETTINGS file
    generate_s: float

    @property
    def repo(self) -> Path:
        """The wiki's bare repository."""
        from wikibot.store import wiki_path

        return Path(wiki_path(Path(self.data), self.user, self.wiki))

    def settings(self):
        """The wikibot Settings for this data folder."""
        from wikibot.local.dev import local_settings

        return local_settings(Path(self.data))


def page_text(i: int, rng: random.Random, pages: int, version: int = 0) -> str:
    """~300 words with frontmatter and three WikiLinks, like the earlier benchmarks."""
    words = " ".join(rng.choice(WORDS) for _ in range(300))
    links = " ".join(f"[[Topic {rng.randrange(pages)}]]" for _ in range(3))
    return (
        f"---\ncategory: bench\ntags: [t{i % 10}]\n---\n# Topic {i}\n\n{words}\n\n"
        f"See {links}\n\nVersion {version}.\n"
    )


def build(data: Path, pages: int, commits: int, progress: Progress | None = None) -> Fixture:
    """Create the data folder (or reuse one built with the same shape)."""
    data = data.resolve()
    meta = data / "bench-fixture.json"
    if meta.exists():
        found = Fixture(**json.loads(meta.read_text()))
        if found.pages == pages and found.commits == commits:
            if progress:
                progress.step("reusing the benchmark wiki", 2)
            return found
        raise SystemExit(f"{data} holds a {found.pages}-page wiki; use another --data folder")

    from wikibot.local.dev import local_settings
    from wikibot.provision import create_wiki
    from wikibot.registry import open_registry
    from wikibot.store import Author, WikiStore, wiki_path

    settings = local_settings(data)
    registry = open_registry(settings)
    registry.create_user(USER, "bench@example.com", "Bench")
    create_wiki(settings, registry, USER, WIKI, "Bench")
    _, token = registry.create_token(USER, USER, WIKI, "bench")
    store = WikiStore.open(wiki_path(settings.data_root, USER, WIKI), limits=settings.limits)
    author = Author("bench", "bench@example.com", "mcp")
    rng = random.Random(7)
    start = time.perf_counter()
    step = max(1, commits // 20)
    for n in range(commits):
        if n < pages:
            store.write(f"Topic {n}", page_text(n, rng, pages), author)
        else:
            i = (n - pages) % max(1, pages // 2)
            name = f"Topic {i}"
            current = store.read(name)
            store.write(name, page_text(i, rng, pages, n), author, revision=current.revision)
        if progress and (n + 1) % step == 0:
            progress.show(f"generating history {n + 1}/{commits}")
    generate_s = time.perf_counter() - start
    if progress:
        progress.step(f"generated {commits} commits in {generate_s:.1f} s")

    worktree = data / "stock-worktree"
    stock_settings = make_stock(
        settings.data_root, wiki_path(settings.data_root, USER, WIKI), worktree
    )
    if progress:
        progress.step("cloned a work tree for stock Otterwiki")
    fixture = Fixture(
        data=str(data),
        user=USER,
        wiki=WIKI,
        token=token,
        pages=pages,
        commits=commits,
        old_page=f"Topic {pages - 1}",
        missing_page="No Such Page",
        worktree=str(worktree),
        stock_settings=str(stock_settings),
        generate_s=round(generate_s, 2),
    )
    meta.write_text(json.dumps(asdict(fixture), indent=2))
    return fixture


def make_stock(data: Path, bare: Path, worktree: Path) -> Path:
    """Clone the bare repository into a work tree and write stock Otterwiki's settings file."""
    if worktree.exists():
        shutil.rmtree(worktree)
    subprocess.run(["git", "clone", "-q", str(bare), str(worktree)], check=True)
    subprocess.run(
        ["git", "-C", str(worktree), "config", "user.email", "bench@example.com"], check=True
    )
    subprocess.run(["git", "-C", str(worktree), "config", "user.name", "Bench"], check=True)
    settings = data / "stock-otterwiki.cfg"
    settings.write_text(
        f"REPOSITORY = {str(worktree)!r}\n"
        f"SQLALCHEMY_DATABASE_URI = {'sqlite:///' + str(data / 'stock-otterwiki.db')!r}\n"
        "SECRET_KEY = 'bench-secret-key-0123456789abcdef'\n"
        "SITE_NAME = 'Bench'\n"
        "AUTH_METHOD = 'PROXY_HEADER'\n"
        "WTF_CSRF_ENABLED = False\n"
    )
    return settings
