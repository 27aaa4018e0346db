"""Runme's gRPC services over a real socket, with a grpcio client built from our protos."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from tests.integration.server.conftest import TOKEN, Server
from waypost._proto.runme.parser.v1 import parser_pb2 as pb
from waypost._proto.runme.parser.v1 import parser_pb2_grpc
from waypost._proto.runme.project.v1 import project_pb2, project_pb2_grpc

AUTH = (("authorization", f"Bearer {TOKEN}"),)


@pytest.fixture(scope="module")
def channel(server: Server) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(server.target) as ch:
        yield ch


def test_deserialize_then_serialize_gives_back_the_same_bytes(
    channel: grpc.Channel, server: Server
) -> None:
    source = (server.root / "README.md").read_bytes()
    stub = parser_pb2_grpc.ParserServiceStub(channel)
    notebook = stub.Deserialize(pb.DeserializeRequest(source=source), metadata=AUTH).notebook
    code = [c for c in notebook.cells if c.kind == pb.CELL_KIND_CODE]
    assert code[1].metadata["runme.dev/name"] == "echo" and code[1].metadata["name"] == "echo"
    assert code[0].metadata["runme.dev/nameGenerated"] == "true"
    assert notebook.metadata["runme.dev/finalLineBreaks"] == "1"
    assert notebook.frontmatter.runme.id == "01HF7BT3HD84GWTQB9008APC3C"
    result = stub.Serialize(pb.SerializeRequest(notebook=notebook), metadata=AUTH).result
    assert result == source


def test_identity_cell_puts_ids_in_fences_on_save(channel: grpc.Channel) -> None:
    stub = parser_pb2_grpc.ParserServiceStub(channel)
    source = b"# T\n\n```sh\necho hi\n```\n"
    options = pb.DeserializeRequestOptions(identity=pb.RUNME_IDENTITY_CELL)
    notebook = stub.Deserialize(
        pb.DeserializeRequest(source=source, options=options), metadata=AUTH
    ).notebook
    ident = notebook.cells[1].metadata["id"]
    assert ident == notebook.cells[1].metadata["runme.dev/id"]
    result = stub.Serialize(pb.SerializeRequest(notebook=notebook), metadata=AUTH).result
    assert result == f'# T\n\n```sh {{"id":"{ident}"}}\necho hi\n```\n'.encode()


def test_an_edited_cell_is_the_only_change(channel: grpc.Channel) -> None:
    stub = parser_pb2_grpc.ParserServiceStub(channel)
    source = b'Intro   with  spaces\n\n* star list\n\n```sh {"name":"x"}\necho a\n```\n'
    notebook = stub.Deserialize(pb.DeserializeRequest(source=source), metadata=AUTH).notebook
    notebook.cells[2].value = "echo b"
    result = stub.Serialize(pb.SerializeRequest(notebook=notebook), metadata=AUTH).result
    assert result == source.replace(b"echo a", b"echo b")


def test_serialize_without_cache_renders_cells(channel: grpc.Channel) -> None:
    stub = parser_pb2_grpc.ParserServiceStub(channel)
    notebook = pb.Notebook(cells=[
        pb.Cell(kind=pb.CELL_KIND_MARKUP, value="# New"),
        pb.Cell(kind=pb.CELL_KIND_CODE, value="ls", language_id="sh", metadata={"name": "l"}),
    ])  # fmt: skip
    result = stub.Serialize(pb.SerializeRequest(notebook=notebook), metadata=AUTH).result
    assert result == b'# New\n\n```sh {"name":"l"}\nls\n```\n'


def test_serialize_with_outputs_writes_a_session_file(channel: grpc.Channel) -> None:
    stub = parser_pb2_grpc.ParserServiceStub(channel)
    source = b"```sh\necho hi\n```\n"
    notebook = stub.Deserialize(pb.DeserializeRequest(source=source), metadata=AUTH).notebook
    output = notebook.cells[0].outputs.add()
    output.items.add(mime="application/vnd.code.notebook.stdout", data=b"\x1b[32mhi\x1b[0m\n")
    output.process_info.exit_reason.type = "exit"
    output.process_info.exit_reason.code.value = 0
    options = pb.SerializeRequestOptions(
        outputs=pb.SerializeRequestOutputOptions(enabled=True),
        session=pb.RunmeSession(
            id="01HJS35FZ2K0JBWPVAXPMMVTGN", document=pb.RunmeSessionDocument(relative_path="a.md")
        ),
    )
    text = stub.Serialize(
        pb.SerializeRequest(notebook=notebook, options=options), metadata=AUTH
    ).result.decode()
    assert "  session:\n    id: 01HJS35FZ2K0JBWPVAXPMMVTGN\n" in text
    assert "relativePath: a.md" in text
    assert text.endswith("```sh\necho hi\n\nhi\n```\n")


def test_bad_source_is_invalid_argument(channel: grpc.Channel) -> None:
    stub = parser_pb2_grpc.ParserServiceStub(channel)
    with pytest.raises(grpc.RpcError) as caught:
        stub.Deserialize(pb.DeserializeRequest(source=b"\xff\xfe\x00"), metadata=AUTH)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "binary data" in (caught.value.details() or "")


def test_project_load_streams_walk_events_and_tasks(channel: grpc.Channel, server: Server) -> None:
    stub = project_pb2_grpc.ProjectServiceStub(channel)
    request = project_pb2.LoadRequest(
        directory=project_pb2.DirectoryProjectOptions(path=str(server.root))
    )
    events = list(stub.Load(request, metadata=AUTH))
    kinds = [e.type for e in events]
    assert kinds[0] == project_pb2.LOAD_EVENT_TYPE_STARTED_WALK
    assert project_pb2.LOAD_EVENT_TYPE_FINISHED_WALK in kinds
    tasks = [e.found_task for e in events if e.type == project_pb2.LOAD_EVENT_TYPE_FOUND_TASK]
    assert {"echo", "ls"} <= {t.name for t in tasks}
    assert all(t.document_path.startswith(str(server.root)) for t in tasks)


def test_project_load_outside_the_root_is_refused(channel: grpc.Channel) -> None:
    stub = project_pb2_grpc.ProjectServiceStub(channel)
    request = project_pb2.LoadRequest(directory=project_pb2.DirectoryProjectOptions(path="/etc"))
    with pytest.raises(grpc.RpcError) as caught:
        list(stub.Load(request, metadata=AUTH))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_health_reports_serving(channel: grpc.Channel) -> None:
    stub = health_pb2_grpc.HealthStub(channel)
    reply = stub.Check(health_pb2.HealthCheckRequest(service=""), metadata=AUTH)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_runmes_service_names(channel: grpc.Channel) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    (reply,) = list(stub.ServerReflectionInfo(iter([request]), metadata=AUTH))
    names = {s.name for s in reply.list_services_response.service}
    assert {"runme.parser.v1.ParserService", "runme.project.v1.ProjectService", "AIService",
            "grpc.health.v1.Health"} <= names  # fmt: skip


@pytest.mark.parametrize(
    "metadata", [(), (("authorization", "Bearer wrong"),)], ids=["none", "wrong"]
)
def test_calls_without_the_token_are_unauthenticated(
    channel: grpc.Channel, metadata: tuple
) -> None:
    stub = parser_pb2_grpc.ParserServiceStub(channel)
    with pytest.raises(grpc.RpcError) as caught:
        stub.Deserialize(pb.DeserializeRequest(source=b"# x"), metadata=metadata)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    health = health_pb2_grpc.HealthStub(channel)
    with pytest.raises(grpc.RpcError) as caught:
        health.Check(health_pb2.HealthCheckRequest(), metadata=metadata)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
