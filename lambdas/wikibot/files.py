"""Local files that hold secrets or registry data: written atomically, readable by the owner only.

A reader never sees a half-written file (write to a temporary file in the same folder, fsync,
then `os.replace`), and the file is created with mode 0600 from the first byte, so there is no
window in which another local user could open it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def write_private(path: str | os.PathLike[str], data: bytes, *, durable: bool = True) -> None:
    """Atomically replace `path` with `data`, mode 0600.

    The parent folder is created (mode 0700) when missing. A crash leaves either the old file
    or the new one, never a mix; a leftover temporary file is named `.{name}.*.tmp`.

    Args:
        path: The file to write.
        data: Its complete new content.
        durable: fsync before the rename. False for derived state that readers check and
            rebuild when it is torn or missing (the store's index and deltas).
    """
    target = Path(path)
    target.parent.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    # mkstemp creates the file with mode 0600 (O_EXCL), whatever the umask.
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        os.chmod(tmp, PRIVATE_FILE_MODE)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def ensure_private_dir(path: str | os.PathLike[str]) -> Path:
    """Create `path` (and parents) if needed and make it mode 0700; return it as a Path."""
    folder = Path(path)
    folder.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    os.chmod(folder, PRIVATE_DIR_MODE)
    return folder
