"""Servers: Runme-compatible gRPC services, the HTTP/JSON + WebSocket API, the AI's Connect
services (unary and the ghost-cell stream), auth and TLS; ``waypost serve`` (``launcher``) and
``waypost server``, the kernel Runme's VS Code extension launches (``kernel``). A thin adapter
over the core; the only package that imports grpc or starlette. The core must never import it."""
