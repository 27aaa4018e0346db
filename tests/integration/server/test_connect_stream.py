"""Connect bidi streaming (StreamGenerate) over HTTP/2 cleartext, frame by frame."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator

import pytest
from google.protobuf import json_format

from tests.integration.server.conftest import TOKEN, Server
from tests.integration.server.h2c import H2C, Stream
from waypost._proto.foyle.v1alpha1 import agent_pb2 as ai
from waypost._proto.runme.parser.v1 import parser_pb2 as pb

PATH = f"/t/{TOKEN}/api/AIService/StreamGenerate"


@pytest.fixture
def h2c(server: Server) -> Iterator[H2C]:
    client = H2C("127.0.0.1", server.http)
    yield client
    client.close()


def envelope(data: bytes, flags: int = 0) -> bytes:
    return struct.pack(">BI", flags, len(data)) + data


def envelopes(data: bytes) -> list[tuple[int, bytes]]:
    found = []
    while data:
        flags, length = struct.unpack_from(">BI", data)
        found.append((flags, data[5 : 5 + length]))
        data = data[5 + length :]
    return found


def full_context(context_id: str = "ctx-1") -> ai.StreamGenerateRequest:
    notebook = pb.Notebook(cells=[pb.Cell(kind=pb.CELL_KIND_MARKUP, value="Restart the api")])
    return ai.StreamGenerateRequest(context_id=context_id, full_context=ai.FullContext(
        notebook=notebook, selected=0, notebook_uri="file:///w/ops.md"))  # fmt: skip


def ended(stream: Stream) -> bool:
    return stream.ended


def test_stream_generate_in_json_answers_then_ends_cleanly(h2c: H2C) -> None:
    body = envelope(json_format.MessageToJson(full_context(), indent=None).encode())
    stream_id = h2c.request(PATH, {"content-type": "application/connect+json"}, body)
    stream = h2c.read_until(stream_id, ended)
    assert stream.headers[":status"] == "200"
    assert stream.headers["content-type"] == "application/connect+json"
    (answer_flags, answer), (end_flags, end) = envelopes(stream.data)
    assert answer_flags == 0 and end_flags == 2
    data = json.loads(answer)
    assert (data["contextId"], data["notebookUri"], data["insertAt"]) == (
        "ctx-1",
        "file:///w/ops.md",
        1,
    )
    assert data.get("cells", []) == []  # nothing learned yet: no ghost cells
    assert json.loads(end) == {}


def test_stream_generate_in_binary_protobuf(h2c: H2C) -> None:
    body = envelope(full_context("ctx-2").SerializeToString())
    stream_id = h2c.request(PATH, {"content-type": "application/connect+proto"}, body)
    stream = h2c.read_until(stream_id, ended)
    (_, answer), (_, end) = envelopes(stream.data)
    assert ai.StreamGenerateResponse.FromString(answer).context_id == "ctx-2"
    assert json.loads(end) == {}


def test_a_stream_that_starts_with_an_update_ends_with_invalid_argument(h2c: H2C) -> None:
    first = ai.StreamGenerateRequest(
        context_id="c", update=ai.UpdateContext(cell=pb.Cell(value="x"))
    )
    stream_id = h2c.request(PATH, {"content-type": "application/connect+proto"},
                            envelope(first.SerializeToString()), end=False)  # fmt: skip
    stream = h2c.read_until(stream_id, lambda s: any(f == 2 for f, _ in envelopes(s.data)))
    (flags, end), *_ = envelopes(stream.data)
    assert flags == 2 and json.loads(end)["error"]["code"] == "invalid_argument"
    h2c.send(stream_id, b"", end=True)
    assert h2c.read_until(stream_id, ended).reset is None


def test_a_refused_stream_leaves_the_connection_usable(h2c: H2C) -> None:
    """The client still sends after its stream was refused; the connection must survive that."""
    stream_id = h2c.request("/api/AIService/StreamGenerate",
                            {"content-type": "application/connect+proto"}, b"", end=False)  # fmt: skip
    refused = h2c.read_until(stream_id, lambda s: bool(s.data))
    assert refused.headers[":status"] == "200"
    (flags, end), *_ = envelopes(refused.data)
    assert flags == 2 and json.loads(end)["error"]["code"] == "unauthenticated"
    h2c.send(stream_id, envelope(full_context().SerializeToString()))
    h2c.send(stream_id, b"", end=True)
    h2c.read_until(stream_id, ended)
    status = h2c.request(f"/t/{TOKEN}/api/AIService/Status", {"content-type": "application/proto"},
                         ai.StatusRequest().SerializeToString())  # fmt: skip
    reply = h2c.read_until(status, ended)
    assert not h2c.closed
    assert reply.headers[":status"] == "200"
    assert ai.StatusResponse.FromString(reply.data).status == ai.OK


def test_an_unknown_content_type_is_unsupported(h2c: H2C) -> None:
    stream_id = h2c.request(PATH, {"content-type": "text/plain"}, b"hello")
    stream = h2c.read_until(stream_id, ended)
    assert stream.headers[":status"] == "415"
