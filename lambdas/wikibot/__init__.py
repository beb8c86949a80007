"""wikibot: private git-backed Markdown wikis as memory for AI agents."""
