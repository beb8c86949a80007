"""Deterministic zips (sorted entries, one timestamp, fixed modes) and their size report."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

# The zip format's earliest date; the same for every entry so the bytes depend on content only.
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644  # regular file, rw-r--r--: Lambda only reads
COMPRESS_LEVEL = 6


@dataclass(frozen=True)
class Contributor:
    """A top-level entry of the zip (a package or module) and its sizes."""

    name: str
    unzipped: int
    zipped: int


@dataclass(frozen=True)
class Report:
    """Sizes of one zip."""

    zipped: int
    unzipped: int
    files: int
    contributors: tuple[Contributor, ...]

    def top(self, n: int = 10) -> tuple[Contributor, ...]:
        """The n largest contributors by unzipped size."""
        return self.contributors[:n]

    def as_dict(self, n: int = 10) -> dict:
        """JSON-ready form."""
        return {
            "zipped_bytes": self.zipped,
            "unzipped_bytes": self.unzipped,
            "files": self.files,
            "top": [c.__dict__ for c in self.top(n)],
        }


def _group(name: str) -> str:
    """Contributor name: a package folder, or a top-level module / dist-info."""
    first = name.split("/", 1)[0]
    if first.endswith(".dist-info"):
        return "*.dist-info"
    return first


def write_zip(root: Path, path: Path) -> Report:
    """Zip every file under root, sorted; the same tree always gives the same bytes."""
    files = sorted((p.relative_to(root).as_posix(), p) for p in root.rglob("*") if p.is_file())
    groups: dict[str, list[int]] = {}
    unzipped = 0
    tmp = path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name, source in files:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            info.create_system = 3  # unix, so external_attr carries the mode
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            data = source.read_bytes()
            zf.writestr(info, data, compresslevel=COMPRESS_LEVEL)
            unzipped += len(data)
            entry = groups.setdefault(_group(name), [0, 0])
            entry[0] += len(data)
            entry[1] += zf.getinfo(name).compress_size
    tmp.replace(path)
    contributors = tuple(
        sorted(
            (Contributor(n, u, z) for n, (u, z) in groups.items()),
            key=lambda c: (-c.unzipped, c.name),
        )
    )
    return Report(path.stat().st_size, unzipped, len(files), contributors)
