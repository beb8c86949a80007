"""The pages a new wiki starts with: Home, Meta/Wiki Usage Guide, Meta/Page Template."""

from importlib.resources import files

TEMPLATES = {
    "Home": "home.md",
    "Meta/Wiki Usage Guide": "usage-guide.md",
    "Meta/Page Template": "page-template.md",
}


def seed_pages(title: str) -> dict[str, str]:
    """Page name -> Markdown for a new wiki called `title`."""
    folder = files(__name__)
    return {
        name: folder.joinpath(file).read_text("utf-8").replace("{title}", title)
        for name, file in TEMPLATES.items()
    }
