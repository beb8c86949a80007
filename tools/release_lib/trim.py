"""Per-function trims: installed files a function never reads, beyond the dependency walk.

The dependency walk (deps.py) drops whole distributions. Some kept distributions carry large
parts the function never runs; those are removed here, after installation, by rule:

- Otterwiki's static files (CSS, JavaScript, fonts, MathJax, images: 32 MB unzipped) are served
  by CloudFront from S3 under `/_static/otterwiki-<version>/` (`tools/release --upload` puts them
  there, see static.py). The Lambda keeps what Otterwiki reads from disk at run time:
  `static/custom/` (custom CSS/JS/HTML) and the favicon its `/favicon.ico` view sends.
- Pillow is used for attachment thumbnails only (`otterwiki.wiki` `get_thumbnail`). Its optional
  extension modules for AVIF, fonts (FreeType, HarfBuzz), colour management (LittleCMS) and Tk
  are removed; Pillow treats a missing optional module as an unsupported format. Thumbnails of
  PNG, JPEG, GIF, WebP, BMP and TIFF still work (the core `_imaging` module and `_webp`). The
  bundled shared libraries in `pillow.libs/` are kept only if a remaining module needs them
  (the ELF DT_NEEDED closure).
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

# Kept from otterwiki/static: read from disk by Otterwiki's own views and helpers.
OTTERWIKI_STATIC_KEEP = ("custom/", "img/otter-favicon.ico")
# Pillow extension modules (by name prefix) that thumbnails never need.
PILLOW_OPTIONAL = ("_avif.", "_imagingft.", "_imagingcms.", "_imagingtk.")


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def _remove(path: Path) -> int:
    size = _size(path)
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    return size


def elf_needed(path: Path) -> list[str]:
    """DT_NEEDED entries of a 64-bit little-endian ELF shared object (Lambda's x86_64/arm64)."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError(f"{path}: not a 64-bit little-endian ELF file")
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [
        struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)
    ]
    needed = []
    for _, kind, _, _, offset, size, link, _, _, entsize in sections:
        if kind != 6:  # SHT_DYNAMIC; its sh_link is the string table
            continue
        strtab = sections[link][4]
        for pos in range(offset, offset + size, entsize or 16):
            tag, value = struct.unpack_from("<qQ", data, pos)
            if tag == 0:  # DT_NULL
                break
            if tag == 1:  # DT_NEEDED
                end = data.index(b"\0", strtab + value)
                needed.append(data[strtab + value : end].decode())
    return needed


def trim_otterwiki_static(target: Path) -> int:
    """Remove otterwiki/static except what Otterwiki reads at run time; bytes removed."""
    static = target / "otterwiki" / "static"
    if not static.is_dir():
        return 0
    removed = 0
    for path in sorted(static.rglob("*"), reverse=True):
        name = path.relative_to(static).as_posix()
        if path.is_file() and not name.startswith(OTTERWIKI_STATIC_KEEP):
            removed += _remove(path)
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed


def trim_pillow(target: Path) -> int:
    """Remove Pillow's optional extension modules and the libraries only they need."""
    pil, libs = target / "PIL", target / "pillow.libs"
    if not pil.is_dir():
        return 0
    removed = 0
    for module in sorted(pil.glob("*.so")):
        if module.name.startswith(PILLOW_OPTIONAL):
            removed += _remove(module)
    if not libs.is_dir():
        return removed
    bundled = {p.name: p for p in libs.iterdir()}
    keep: set[str] = set()
    todo = [n for m in pil.glob("*.so") for n in elf_needed(m)]
    while todo:
        name = todo.pop()
        if name in bundled and name not in keep:
            keep.add(name)
            todo += elf_needed(bundled[name])
    for name, path in sorted(bundled.items()):
        if name not in keep:
            removed += _remove(path)
    return removed


TRIMS = {"wiki": (trim_otterwiki_static, trim_pillow)}


def trim(function: str, target: Path) -> int:
    """Apply the function's trims to the install folder; bytes removed."""
    return sum(step(target) for step in TRIMS.get(function, ()))
