"""``waypost server``: the kernel for Runme's VS Code extension (set ``runme.server.binaryPath``).

Takes Runme's arguments: ``--address localhost:PORT`` or ``unix:///PATH``, ``--runner``, and
``--tls DIR`` or ``--insecure``. Everything it says goes to stderr as JSON lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from waypost.config import user_config_path
from waypost.errors import UsageError, WaypostError

__all__ = ["app"]

app = typer.Typer()


def default_tls_dir() -> Path:
    """Beside the user's settings, as Runme keeps its own under its config directory."""
    return user_config_path().parent / "tls"


@app.command("server")
def server(
    address: Annotated[
        str,
        typer.Option("--address", "-a", help="localhost:PORT, HOST:PORT or unix:///PATH."),
    ] = "localhost:7863",
    runner: Annotated[
        bool, typer.Option("--runner/--no-runner", help="Serve the runner (default: on).")
    ] = True,
    tls: Annotated[
        Path | None,
        typer.Option("--tls", help="Mutual TLS with cert.pem/key.pem here, created if missing."),
    ] = None,
    insecure: Annotated[
        bool, typer.Option("--insecure/--no-insecure", help="No TLS; loopback addresses only.")
    ] = False,
    dev: Annotated[bool, typer.Option("--dev", hidden=True)] = False,
) -> None:
    """Runme's kernel server: parser, project and runner over gRPC, for Runme's VS Code extension."""
    from waypost.server.grpc import runtime

    runtime.prepare(quiet=True)  # before anything imports grpc
    from waypost.log import configure as configure_logging
    from waypost.log import get_logger
    from waypost.server.kernel import KernelOptions, parse_address, serve_kernel

    configure_logging(json=True, message_key="msg", level="debug" if dev else None, stdlib=True)
    log = get_logger("waypost.kernel")
    try:
        if tls is not None and insecure:
            raise UsageError("--tls and --insecure exclude each other", where="--insecure")
        options = KernelOptions(
            address=parse_address(address),
            tls_dir=None if insecure else (tls or default_tls_dir()).absolute(),
            runner=runner,
        )
        serve_kernel(options)
    except WaypostError as exc:
        log.error("cannot start", error=str(exc))
        raise typer.Exit(exc.exit_code) from None
