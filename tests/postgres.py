"""A real PostgreSQL for tests: ``WAYPOST_TEST_POSTGRES`` if set, else a private throwaway cluster.

The cluster is Debian's PostgreSQL (``apt-get install postgresql``), started with ``initdb`` and
``pg_ctl`` in a temporary directory as the ``postgres`` user (PostgreSQL refuses to run as root),
listening on a free loopback port with trust authentication. Tests that need it are skipped, saying
why, only when no PostgreSQL is installed.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _binaries() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@contextmanager
def postgres_url() -> Iterator[str | None]:
    """A connection URL to an empty database, or ``None`` when PostgreSQL is not available."""
    given = os.environ.get("WAYPOST_TEST_POSTGRES")
    if given:
        yield given
        return
    binaries = _binaries()
    if binaries is None:
        yield None
        return
    base = Path(tempfile.mkdtemp(prefix="waypost-pg-"))
    data, sockets = base / "data", base / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    # the server outlives the test that starts it: it must not carry that test's process marker
    env = {k: v for k, v in os.environ.items() if not k.startswith("WAYPOST_")}
    run = lambda args: subprocess.run(_as_postgres(args), check=True, capture_output=True, env=env)  # noqa: E731
    run([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"])
    run([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-o",
         f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300",
         "start"])  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            probe = subprocess.run(
                _as_postgres([str(binaries / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)]),
                capture_output=True,
            )
            if probe.returncode == 0:
                break
            time.sleep(0.2)
        run(
            [
                str(binaries / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
                "waypost",
            ]
        )
        yield f"postgresql://postgres@127.0.0.1:{port}/waypost"
    finally:
        subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)
