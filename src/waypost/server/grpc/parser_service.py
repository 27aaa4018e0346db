"""``runme.parser.v1.ParserService``: Markdown ⇄ notebook for Runme clients, byte-exact on save."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import UTC, datetime

import grpc

from waypost._proto.runme.parser.v1 import parser_pb2 as pb
from waypost._proto.runme.parser.v1 import parser_pb2_grpc
from waypost.errors import FormatError
from waypost.notebook import Identity, Notebook, apply_identity, new_ulid, parse, serialize
from waypost.notebook.serializer import SerializeOptions
from waypost.server.grpc.convert import CACHE_ID, notebook_from_proto, notebook_to_proto

__all__ = ["NotebookCache", "ParserService"]


class NotebookCache:
    """Parsed notebooks by Runme's ``cacheId``: Serialize puts the client's cells back on them."""

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, Notebook] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, key: str, notebook: Notebook) -> None:
        with self._lock:
            self._items[key] = notebook
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def get(self, key: str) -> Notebook | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found


class ParserService(parser_pb2_grpc.ParserServiceServicer):
    def __init__(self, cache: NotebookCache | None = None) -> None:
        self.cache = cache or NotebookCache()

    def Deserialize(
        self, request: pb.DeserializeRequest, context: grpc.ServicerContext
    ) -> pb.DeserializeResponse:
        try:
            parsed = parse(request.source)
        except FormatError as exc:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        cache_id = new_ulid()
        self.cache.put(cache_id, parsed)
        notebook = apply_identity(parsed, Identity(request.options.identity))
        return pb.DeserializeResponse(
            notebook=notebook_to_proto(notebook, request.source, cache_id)
        )

    def Serialize(
        self, request: pb.SerializeRequest, context: grpc.ServicerContext
    ) -> pb.SerializeResponse:
        cached = self.cache.get(request.notebook.metadata.get(CACHE_ID, ""))
        notebook = notebook_from_proto(request.notebook, cached)
        options = request.options
        session = options.session
        result = serialize(
            notebook,
            SerializeOptions(
                outputs=options.outputs.enabled,
                summary=options.outputs.summary,
                session_id=session.id,
                relative_path=session.document.relative_path,
                updated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ") if session.id else "",
            ),
        )
        return pb.SerializeResponse(result=result)
