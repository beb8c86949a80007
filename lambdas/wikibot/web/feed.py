"""The part of feedgen's `FeedGenerator` that Otterwiki's changelog feeds call, on the stdlib.

Otterwiki builds its RSS and Atom changelog feeds (`otterwiki.wiki.Changelog.get_feedgenerator`,
`feed_rss`, `feed_atom`) with feedgen, which needs lxml (5 MB zipped) and python-dateutil. This
module is registered as `feedgen.feed` by `wikibot.web.library`, so the Lambda ships neither.
It writes the elements, attributes and text feedgen 1.0.0 writes for the same calls (an oracle
test compares the parsed trees: tests/functional/test_release_feed.py), in feedgen's order,
including its quirks: an enclosure without a length says `length="None"`, and Atom entry links
carry only `href` (feedgen reads the attributes back from the new element). The generator is
named honestly ("wikibot"). Calls Otterwiki never makes (categories, contributors, extensions,
files) are not provided: an AttributeError says so at once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
RSS_DOCS = "http://www.rssboard.org/rss-specification"
GENERATOR = "wikibot"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LINK_FIELDS = ("href", "rel", "type", "hreflang", "title", "length")


def rfc2822(when: datetime) -> str:
    """`Tue, 03 Jun 2025 10:00:00 +0000`, in English whatever the locale (as feedgen)."""
    return (
        f"{_DAYS[when.weekday()]}, {when.day:02d} {_MONTHS[when.month - 1]} {when.year} "
        f"{when:%H:%M:%S %z}"
    )


def _aware(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError("Invalid datetime format")
    if value.tzinfo is None:
        raise ValueError("Datetime object has no timezone info")
    return value


def _etree() -> Any:
    """xml.etree, imported with the first feed: with pyexpat it is ~10 ms of a cold page view."""
    import xml.etree.ElementTree

    return xml.etree.ElementTree


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = _etree().SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _links(value: Any, kwargs: dict, allowed: tuple[str, ...]) -> list[dict]:
    link = kwargs if value is None else value
    items = link if isinstance(link, list) else [link]
    for item in items:
        if not isinstance(item, dict) or "href" not in item or not set(item) <= set(allowed):
            raise ValueError("Data contains invalid or missing keys")
    return items


def _serialize(root: ET.Element, pretty: bool) -> bytes:
    etree = _etree()
    if pretty:
        etree.indent(root, "  ")
    etree.register_namespace("atom", ATOM_NS)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True) + (b"\n" if pretty else b"")


class FeedEntry:
    """One changelog entry: an Atom `<entry>` and an RSS `<item>`."""

    def __init__(self) -> None:
        self._id: str | None = None
        self._title: str | None = None
        self._updated = datetime.now(UTC)
        self._authors: list[dict] = []
        self._links: list[dict] = []
        self._description: str | None = None
        self._published: datetime | None = None
        self._guid: dict = {}
        self._enclosure: dict | None = None

    def title(self, title: str | None = None) -> str | None:
        """Set or get the title (Atom and RSS)."""
        if title is not None:
            self._title = title
        return self._title

    def id(self, id: str | None = None) -> str | None:  # noqa: A002 - feedgen's name
        """Set or get atom:id; also the RSS guid, not a permalink."""
        if id is not None:
            self._id = id
            self._guid = {"guid": id, "permalink": False}
        return self._id

    def guid(self, guid: str | None = None, permalink: bool = False) -> dict:
        """Set or get the RSS guid; also atom:id."""
        if guid is not None:
            self._id = guid
            self._guid = {"guid": guid, "permalink": permalink}
        return self._guid

    def author(self, author: Any = None, replace: bool = False, **kwargs: Any) -> list[dict]:
        """Add authors: dicts of name, email, uri."""
        value = kwargs if author is None and kwargs else author
        if value is not None:
            items = value if isinstance(value, list) else [value]
            if any(
                not isinstance(a, dict) or not set(a) <= {"name", "email", "uri"} for a in items
            ):
                raise ValueError("Data contains invalid keys")
            self._authors = ([] if replace else self._authors) + items
        return self._authors

    def link(self, link: Any = None, replace: bool = False, **kwargs: Any) -> list[dict]:
        """Add links (rel defaults to alternate)."""
        if link is not None or kwargs:
            items = [{"rel": "alternate", **item} for item in _links(link, kwargs, _LINK_FIELDS)]
            self._links = ([] if replace else self._links) + items
            for item in self._links:
                if item["rel"] == "enclosure":
                    self._enclosure = {
                        "url": item["href"],
                        "type": item.get("type"),
                        "length": item.get("length") or "0",
                    }
        return self._links

    def enclosure(
        self,
        url: str | None = None,
        length: Any = None,
        type: str | None = None,  # noqa: A002 - feedgen's name
    ) -> Any:
        """Add a media link (Atom rel=enclosure); RSS keeps the last one."""
        if url is not None:
            self.link(href=url, rel="enclosure", type=type, length=str(length))
        return self._enclosure

    def description(self, description: str | None = None) -> str | None:
        """Set or get the RSS description; Atom gets it as the entry's content."""
        if description is not None:
            self._description = description
        return self._description

    def published(self, published: datetime | None = None) -> datetime | None:
        """Set or get the publication time (timezone-aware)."""
        if published is not None:
            self._published = _aware(published)
        return self._published

    pubDate = published  # noqa: N815 - feedgen's name

    def atom_entry(self) -> ET.Element:
        """The Atom `<entry>` element."""
        if not (self._id and self._title):
            raise ValueError("Required fields not set")
        if self._description is None and not any(k["rel"] == "alternate" for k in self._links):
            raise ValueError("Entry must contain an alternate link or a content element.")
        entry = _etree().Element("entry")
        _sub(entry, "id", self._id)
        _sub(entry, "title", self._title)
        _sub(entry, "updated", self._updated.isoformat())
        for a in self._authors:
            if not a.get("name"):
                continue
            author = _sub(entry, "author")
            _sub(author, "name", a["name"])
            for key in ("email", "uri"):
                if a.get(key):
                    _sub(author, key, a[key])
        if self._description is not None:
            _sub(entry, "content", self._description or None)
        for item in self._links:
            _sub(entry, "link", href=item["href"])  # feedgen drops the other attributes here
        if self._published:
            _sub(entry, "published", self._published.isoformat())
        return entry

    def rss_entry(self) -> ET.Element:
        """The RSS `<item>` element."""
        if not (self._title or self._description):
            raise ValueError("Required fields not set")
        item = _etree().Element("item")
        if self._title:
            _sub(item, "title", self._title)
        alternate = [k["href"] for k in self._links if k["rel"] == "alternate"]
        if alternate:
            _sub(item, "link", alternate[-1])
        if self._description:
            _sub(item, "description", self._description)
        for a in self._authors:
            if a.get("email"):
                text = f"{a['email']} ({a['name']})" if a.get("name") else a["email"]
                _sub(item, "author", text)
        if self._guid.get("guid"):
            permalink = str(self._guid.get("permalink", False)).lower()
            _sub(item, "guid", self._guid["guid"], isPermaLink=permalink)
        if self._enclosure:
            _sub(item, "enclosure", **{k: self._enclosure[k] for k in ("url", "length", "type")})
        if self._published:
            _sub(item, "pubDate", rfc2822(self._published))
        return item


class FeedGenerator:
    """The changelog feed: channel data and entries, written as RSS 2.0 or Atom."""

    def __init__(self) -> None:
        self._entries: list[FeedEntry] = []
        self._id: str | None = None
        self._title: str | None = None
        self._description: str | None = None
        self._logo: str | None = None
        self._links: list[dict] = []
        self._rss_link: str | None = None
        self._updated = datetime.now(UTC)

    def title(self, title: str | None = None) -> str | None:
        """Set or get the feed title."""
        if title is not None:
            self._title = title
        return self._title

    def id(self, id: str | None = None) -> str | None:  # noqa: A002 - feedgen's name
        """Set or get atom:id (required for Atom)."""
        if id is not None:
            self._id = id
        return self._id

    def description(self, description: str | None = None) -> str | None:
        """Set or get the RSS description (also atom:subtitle)."""
        if description is not None:
            self._description = description
        return self._description

    subtitle = description

    def logo(self, logo: str | None = None) -> str | None:
        """Set or get atom:logo (also the RSS image)."""
        if logo is not None:
            self._logo = logo
        return self._logo

    def link(self, link: Any = None, replace: bool = False, **kwargs: Any) -> list[dict]:
        """Add links; the last one's href is the RSS channel link."""
        if link is not None or kwargs:
            self._links = ([] if replace else self._links) + _links(link, kwargs, _LINK_FIELDS)
            if self._links:
                self._rss_link = self._links[-1]["href"]
        return self._links

    def add_entry(self, entry: FeedEntry | None = None, order: str = "prepend") -> FeedEntry:
        """A new entry, first in the feed unless `order="append"` (as feedgen)."""
        entry = entry or FeedEntry()
        if order == "prepend":
            self._entries.insert(0, entry)
        else:
            self._entries.append(entry)
        return entry

    add_item = add_entry

    def atom_str(self, pretty: bool = False, **_: Any) -> bytes:
        """The Atom document (UTF-8 bytes with an XML declaration)."""
        if not (self._id and self._title):
            missing = [n for n, v in (("title", self._title), ("id", self._id)) if not v]
            raise ValueError(f"Required fields not set ({', '.join(missing)})")
        feed = _etree().Element("feed", xmlns=ATOM_NS)
        _sub(feed, "id", self._id)
        _sub(feed, "title", self._title)
        _sub(feed, "updated", self._updated.isoformat())
        for item in self._links:
            attrs = {k: item[k] for k in _LINK_FIELDS[1:] if item.get(k)}
            _sub(feed, "link", href=item["href"], **attrs)
        _sub(feed, "generator", GENERATOR)
        if self._logo:
            _sub(feed, "logo", self._logo)
        if self._description:
            _sub(feed, "subtitle", self._description)
        for entry in self._entries:
            feed.append(entry.atom_entry())
        return _serialize(feed, pretty)

    def rss_str(self, pretty: bool = False, **_: Any) -> bytes:
        """The RSS 2.0 document (UTF-8 bytes with an XML declaration)."""
        if not (self._title and self._rss_link and self._description):
            missing = [
                n
                for n, v in (
                    ("title", self._title),
                    ("link", self._rss_link),
                    ("description", self._description),
                )
                if not v
            ]
            raise ValueError(f"Required fields not set ({', '.join(missing)})")
        rss = _etree().Element("rss", version="2.0")
        channel = _sub(rss, "channel")
        _sub(channel, "title", self._title)
        _sub(channel, "link", self._rss_link)
        _sub(channel, "description", self._description)
        for item in self._links:
            if item.get("rel") == "self":
                attrs = {k: item[k] for k in _LINK_FIELDS[2:] if item.get(k)}
                _sub(channel, f"{{{ATOM_NS}}}link", href=item["href"], rel="self", **attrs)
                break
        _sub(channel, "docs", RSS_DOCS)
        _sub(channel, "generator", GENERATOR)
        if self._logo:
            image = _sub(channel, "image")
            _sub(image, "url", self._logo)
            _sub(image, "title", self._title)
            _sub(image, "link", self._rss_link)
        _sub(channel, "lastBuildDate", rfc2822(self._updated))
        for entry in self._entries:
            channel.append(entry.rss_entry())
        return _serialize(rss, pretty)
