"""Whether a process is still there, as the tests check after stopping something."""

from __future__ import annotations

from pathlib import Path


def alive(pid: int) -> bool:
    """Running or sleeping: not gone, not a zombie. A process that exits while its ``/proc``
    entry is read is gone too (the read fails with ESRCH, not ENOENT)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False
