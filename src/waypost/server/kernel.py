"""``waypost server``: the kernel Runme's VS Code extension launches, with Runme's command line.

The extension starts its kernel as ``<binary> server --address localhost:PORT [--runner]
(--tls DIR | --insecure)``, waits up to ten seconds for a JSON line on stderr carrying ``addr``,
health-checks it over gRPC and then talks to it for the editor's lifetime. This module is that
process: Runme's gRPC services (parser, project, runner v1 and v2, health, reflection) on one
address, JSON logs on stderr, and an exit that takes every started process with it, on SIGTERM,
SIGINT, or when the editor goes away (its pipe to our stdin closes, or we are re-parented).

Paths are not confined to a project here: the extension runs notebooks from any workspace
folder (or none), and a client that can run a shell cell can already read any file the user
can. What keeps strangers out is the transport: mutual TLS with a certificate only the editor
holds, or, with ``--insecure``, a loopback-only socket.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import stat
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from waypost.config import Config, load_config
from waypost.errors import UsageError
from waypost.log import get_logger
from waypost.server.auth import Guard, new_token
from waypost.server.grpc.server import RunningGrpc, start_grpc
from waypost.server.launcher import grpc_services
from waypost.server.paths import Confinement
from waypost.server.state import ServerState
from waypost.server.tls import load_or_generate
from waypost.workspace import Workspace

__all__ = ["Address", "Kernel", "KernelOptions", "parse_address", "serve_kernel", "start_kernel"]

_log = get_logger("waypost.kernel")

_LOOPBACK_NAMES = frozenset({"localhost", "ip6-localhost", "ip6-loopback"})


@dataclass(frozen=True, slots=True)
class Address:
    """Where the kernel listens: a TCP ``host:port`` or a Unix socket ``path``."""

    host: str = ""
    port: int = 0
    path: str = ""
    """The socket's path; set only for Unix sockets."""

    @property
    def is_unix(self) -> bool:
        return bool(self.path)

    @property
    def is_loopback(self) -> bool:
        """A Unix socket, or a host that resolves only to this machine."""
        if self.is_unix:
            return True
        if self.host.lower() in _LOOPBACK_NAMES:
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    @property
    def target(self) -> str:
        """The address in the form gRPC binds to."""
        if self.is_unix:
            return f"unix:{self.path}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def shown(self, port: int) -> str:
        """The listening address as Runme logs it: ``127.0.0.1:7863``, or the socket's path."""
        if self.is_unix:
            return self.path
        host = "127.0.0.1" if self.host.lower() == "localhost" else self.host
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def parse_address(text: str) -> Address:
    """``localhost:7863``, ``HOST:PORT``, ``[::1]:PORT``, ``tcp://HOST:PORT``, ``unix:///path``
    or ``unix:/path`` (Runme's forms)."""
    raw = text.strip()
    if raw.startswith("unix:"):
        rest = raw[len("unix:") :]
        path = rest[2:] if rest.startswith("//") else rest
        if not path:
            raise UsageError(f"no socket path in {text!r}", where="--address")
        return Address(path=str(Path(path).absolute()))
    if raw.startswith("tcp://"):
        raw = raw[len("tcp://") :]
    parts = urlsplit(f"//{raw}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or parts.path or parts.query:
        raise UsageError(
            f"expected HOST:PORT or unix:///PATH, not {text!r}", where="--address"
        ) from None
    return Address(host=parts.hostname or "", port=port)


@dataclass(frozen=True, slots=True)
class KernelOptions:
    address: Address
    tls_dir: Path | None
    """Mutual TLS with ``cert.pem``/``key.pem`` here (created if needed); ``None``: insecure."""
    runner: bool = True
    project: Path | None = None
    """Where settings (``waypost.toml``) come from; the working directory by default."""


@dataclass
class Kernel:
    """A running kernel: its gRPC server, the state it serves, and the address it logged."""

    grpc: RunningGrpc
    state: ServerState
    address: Address
    shown: str

    def close(self) -> None:
        """Stop every process, then the server; remove the Unix socket."""
        self.grpc.health.enter_graceful_shutdown()
        self.state.workspace.close()  # ends every process, so their streams end with them
        self.grpc.stop(grace=1.0)
        if self.address.is_unix:
            _remove_socket(Path(self.address.path))


def start_kernel(options: KernelOptions, config: Config | None = None) -> Kernel:
    address = options.address
    if options.tls_dir is None and not address.is_loopback:
        raise UsageError(
            f"without TLS the kernel listens on loopback only, not on {address.host or 'every interface'};"
            " use --tls DIR to serve other hosts",
            where="--address",
        )
    root = (options.project or Path.cwd()).resolve()
    config = config or load_config(root)
    workspace = Workspace(root, config, source="kernel")
    # the transport authenticates (client certificate) or is loopback only; see the module doc
    state = ServerState(
        workspace=workspace, guard=Guard(new_token()), confinement=Confinement(Path("/"))
    )
    tls = load_or_generate(options.tls_dir) if options.tls_dir is not None else None
    if address.is_unix:
        _remove_socket(Path(address.path))
    services = grpc_services(state, ai=False, runner=options.runner)
    mask = os.umask(0o077)  # a Unix socket is born private to the user
    try:
        grpc = start_grpc(services, address.target, guard=None, tls=tls)
    except (OSError, RuntimeError) as exc:
        workspace.close()
        raise UsageError(f"cannot listen on {address.target}: {exc}", where="--address") from exc
    finally:
        os.umask(mask)
    return Kernel(grpc, state, address, address.shown(grpc.port))


def serve_kernel(options: KernelOptions) -> None:
    """Listen, log ``started listening`` with ``addr``, and run until told or orphaned."""
    kernel = start_kernel(options)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda number, frame: stop.set())
    _watch_parent(stop)
    # no "addr" before "started listening": the extension takes the first line that has one
    if options.tls_dir is None:
        _log.warning("insecure: no TLS, any local process can connect; listening on loopback only")
    else:
        _log.info("mutual TLS", tls_dir=str(options.tls_dir))
    _log.info("started listening", addr=kernel.shown, runner=options.runner, pid=os.getpid())
    try:
        while not stop.wait(0.5):
            pass
    finally:
        _log.info("stopping", addr=kernel.shown)
        kernel.close()
        _log.info("stopped", addr=kernel.shown)


def _watch_parent(stop: threading.Event) -> None:
    """Set ``stop`` when the process that started us is gone.

    Two signs, either enough: our stdin, if it is a pipe or socket (the editor's), reaches end of
    file; or we are re-parented. A terminal or ``/dev/null`` on stdin says nothing, so it is not
    read.
    """
    parent = os.getppid()

    def orphaned() -> None:
        while not stop.wait(1.0):
            if os.getppid() != parent:
                _log.info("parent process is gone", parent=parent)
                stop.set()

    threading.Thread(target=orphaned, name="parent-watch", daemon=True).start()
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)):
        return

    def drain() -> None:
        fd = sys.stdin.fileno()
        try:
            while os.read(fd, 65536):
                pass
        except OSError:
            pass
        if not stop.is_set():
            _log.info("stdin closed by the parent")
            stop.set()

    threading.Thread(target=drain, name="stdin-watch", daemon=True).start()


def _remove_socket(path: Path) -> None:
    """Remove a stale socket left by an earlier run; refuse to remove anything else."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise UsageError(f"{path} exists and is not a socket", where="--address")
    path.unlink(missing_ok=True)
