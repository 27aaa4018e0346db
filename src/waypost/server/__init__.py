"""Servers: Runme-compatible gRPC services, the HTTP/JSON + WebSocket API, the AI's Connect
services, auth and TLS. A thin adapter over the core; the only package that imports grpc or
starlette. The core must never import it."""
