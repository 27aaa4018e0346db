"""``waypost serve``: run the server for a project (browser UI, JSON API, gRPC, the AI)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from waypost.errors import UsageError
from waypost.project import find_git_root

__all__ = ["app"]

app = typer.Typer()


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="HTTP port (0: any free one).")] = 8877,
    grpc_port: Annotated[
        int, typer.Option("--grpc-port", help="gRPC port (0: any free one).")
    ] = 7863,
    project: Annotated[
        Path | None, typer.Option("--project", help="Project root (default: the git worktree).")
    ] = None,
    token: Annotated[
        str | None, typer.Option("--token", envvar="WAYPOST_TOKEN", help="Token clients must send.")
    ] = None,
    tls_dir: Annotated[
        Path | None,
        typer.Option("--tls-dir", help="gRPC over mutual TLS with cert.pem/key.pem here."),
    ] = None,
    cors_origin: Annotated[
        list[str] | None, typer.Option("--cors-origin", help="Extra browser origin to allow.")
    ] = None,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the browser.")] = False,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            envvar="WAYPOST_STORE_URL",
            help="postgresql://... to share sessions, events and examples with replicas.",
        ),
    ] = None,
) -> None:
    """Serve the project: browser notebook, JSON API, Runme-compatible gRPC and the AI."""
    from waypost.server.grpc import runtime

    runtime.prepare()  # before anything imports grpc
    from waypost.server.launcher import ServeOptions
    from waypost.server.launcher import serve as run_server

    root = (project or find_git_root(Path.cwd()) or Path.cwd()).resolve()
    if not root.is_dir():
        raise UsageError(f"{root} is not a directory", where="--project")
    if "*" in (cors_origin or []):
        raise UsageError(
            "a wildcard origin is not allowed: the server runs commands", where="--cors-origin"
        )
    os.chdir(root)
    run_server(
        ServeOptions(
            project=root, host=host, port=port, grpc_port=grpc_port, token=token or "",
            tls_dir=tls_dir, open_browser=open_browser, cors_origins=tuple(cors_origin or ()),
            store=store or "",
        )
    )  # fmt: skip
