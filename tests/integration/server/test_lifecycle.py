"""Starting and stopping ``waypost serve``: mutual TLS for gRPC, and no process left behind."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import grpc
import pytest
from websockets.sync.client import connect

from tests.integration.server.conftest import TOKEN, start_server, stop_server
from tests.processes import alive
from waypost._proto.runme.parser.v1 import parser_pb2 as pb
from waypost._proto.runme.parser.v1 import parser_pb2_grpc


def test_grpc_over_mutual_tls_with_a_generated_certificate(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    tls = tmp_path / "tls"
    server = start_server(root, "--tls-dir", str(tls))
    try:
        cert, key = (tls / "cert.pem").read_bytes(), (tls / "key.pem").read_bytes()
        assert stat.S_IMODE((tls / "key.pem").stat().st_mode) == 0o600
        assert stat.S_IMODE(tls.stat().st_mode) == 0o700
        with_cert = grpc.ssl_channel_credentials(
            root_certificates=cert, private_key=key, certificate_chain=cert
        )
        with grpc.secure_channel(f"localhost:{server.grpc}", with_cert) as channel:
            stub = parser_pb2_grpc.ParserServiceStub(channel)
            reply = stub.Deserialize(pb.DeserializeRequest(source=b"# hi\n"), timeout=10)
            assert reply.notebook.cells[0].value == "# hi"
        without = grpc.ssl_channel_credentials(root_certificates=cert)
        with grpc.secure_channel(f"localhost:{server.grpc}", without) as channel:
            stub = parser_pb2_grpc.ParserServiceStub(channel)
            with pytest.raises(grpc.RpcError) as caught:
                stub.Deserialize(pb.DeserializeRequest(source=b"# hi\n"), timeout=10)
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        stop_server(server)
    mtime = (tls / "cert.pem").stat().st_mtime
    again = start_server(root, "--tls-dir", str(tls))
    stop_server(again)
    assert (tls / "cert.pem").stat().st_mtime == mtime  # a valid certificate is kept


def test_stopping_the_server_ends_every_process_it_started(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    server = start_server(root)
    try:
        url = f"ws://127.0.0.1:{server.http}/api/ws/execute"
        with connect(url, additional_headers={"Authorization": f"Bearer {TOKEN}"}) as ws:
            ws.send(json.dumps({"type": "execute", "background": True, "interactive": False, "cell": {
                "kind": "code", "value": "echo pid=$$; sleep 300", "languageId": "sh"}}))  # fmt: skip
            output = ""
            while "pid=" not in output:
                message = json.loads(ws.recv(timeout=10))
                output += message.get("data", "")
        pid = int(output.split("pid=")[1].split()[0])
        assert alive(pid)
    finally:
        stop_server(server)
    assert server.process.returncode == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and alive(pid):
        time.sleep(0.05)
    assert not alive(pid)
