"""Settings gRPC's C core reads once, when ``grpc`` is first imported; call ``prepare`` before that.

- **No fork handlers.** By default gRPC registers ``pthread_atfork`` handlers. Where the runner
  has no util-linux ``setsid`` (macOS, say), it starts terminal cells with ``fork`` and a little
  Python before ``exec``; with gRPC's handlers run in the child, some of those children died of
  SIGSEGV or SIGABRT before the program started. Waypost never runs gRPC in a forked child, so
  it needs none of them.
- **Quiet core** (``quiet=True``): the C core's own log lines (a refused TLS handshake, say) are
  not JSON; ``waypost server`` writes nothing but JSON lines on stderr.

The variables are removed again after the import, so the cells a server runs never see them.
"""

from __future__ import annotations

import os
import sys

__all__ = ["prepare"]


def prepare(*, quiet: bool = False) -> bool:
    """Import gRPC with these settings; ``False`` if it was imported before (nothing changed)."""
    if "grpc" in sys.modules:
        return False
    wanted = {"GRPC_ENABLE_FORK_SUPPORT": "false"}
    if quiet:
        wanted["GRPC_VERBOSITY"] = "NONE"
    added = [name for name in wanted if name not in os.environ]
    for name in added:
        os.environ[name] = wanted[name]
    try:
        import grpc  # noqa: F401
    finally:
        for name in added:
            os.environ.pop(name, None)
    return True
