"""The gRPC server: Runme's services, health checking and reflection, behind the auth check."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from waypost.server.auth import Guard
from waypost.server.tls import TlsMaterial

__all__ = ["GrpcService", "TokenInterceptor", "start_grpc"]

MAX_MESSAGE = 100 * 1024 * 1024
"""Largest message accepted or sent (Runme's limit)."""


@dataclass(frozen=True, slots=True)
class GrpcService:
    """A servicer and how to add it: ``add(servicer, server)`` and its full service name."""

    servicer: Any
    add: Callable[[Any, grpc.Server], None]
    name: str


class TokenInterceptor(grpc.ServerInterceptor):
    """Refuses calls without ``authorization: Bearer <token>`` metadata (UNAUTHENTICATED)."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard

    def intercept_service(self, continuation: Callable[..., Any], details: Any) -> Any:
        metadata = dict(details.invocation_metadata or ())
        handler = continuation(details)
        if self.guard.bearer_ok(metadata.get("authorization")) or handler is None:
            return handler
        return _refusal(handler)


def _refusal(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    def deny(request: Any, context: grpc.ServicerContext) -> Any:
        context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or invalid token")

    def deny_stream(request: Any, context: grpc.ServicerContext) -> Any:
        context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or invalid token")
        yield  # pragma: no cover

    kwargs = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.request_streaming and handler.response_streaming:
        return grpc.stream_stream_rpc_method_handler(deny_stream, **kwargs)
    if handler.request_streaming:
        return grpc.stream_unary_rpc_method_handler(deny, **kwargs)
    if handler.response_streaming:
        return grpc.unary_stream_rpc_method_handler(deny_stream, **kwargs)
    return grpc.unary_unary_rpc_method_handler(deny, **kwargs)


@dataclass
class RunningGrpc:
    server: grpc.Server
    port: int
    health: health.HealthServicer = field(repr=False)

    def stop(self, grace: float = 2.0) -> None:
        self.health.enter_graceful_shutdown()
        self.server.stop(grace).wait()


def start_grpc(
    services: Sequence[GrpcService],
    address: str,
    *,
    guard: Guard | None,
    tls: TlsMaterial | None = None,
    workers: int = 128,
) -> RunningGrpc:
    """Listen on ``address`` (``host:port`` or ``unix:///path``) and serve ``services``.

    With ``tls``, clients must present the server's own certificate (mutual TLS, as Runme);
    otherwise, with a ``guard``, they must send its token.
    """
    interceptors = [TokenInterceptor(guard)] if guard is not None and tls is None else []
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grpc"),
        interceptors=interceptors,
        options=[
            ("grpc.max_send_message_length", MAX_MESSAGE),
            ("grpc.max_receive_message_length", MAX_MESSAGE),
            ("grpc.so_reuseport", 0),
        ],
        maximum_concurrent_rpcs=workers * 4,
    )
    for service in services:
        service.add(service.servicer, server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [s.name for s in services]
    for name in ["", *names]:
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    reflection.enable_server_reflection(
        [
            *names,
            health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
            reflection.SERVICE_NAME,
        ],
        server,
    )
    if tls is not None:
        credentials = grpc.ssl_server_credentials(
            [(tls.key_pem, tls.cert_pem)], root_certificates=tls.cert_pem, require_client_auth=True
        )
        port = server.add_secure_port(address, credentials)
    else:
        port = server.add_insecure_port(address)
    if port == 0 and not address.startswith("unix:"):
        raise OSError(f"cannot listen on {address}")
    server.start()
    return RunningGrpc(server, port, health_servicer)
