"""Logs for people: JSON lines on stderr, libraries' ``logging`` records included when asked."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from waypost.log import configure, get_logger


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    saved = structlog.get_config()
    yield
    root.handlers, root.level = handlers, level
    logging.captureWarnings(False)
    structlog.configure(**saved)


def test_kernel_logs_put_the_message_under_msg(
    capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    configure(json=True, message_key="msg")
    get_logger("waypost.kernel").info("started listening", addr="127.0.0.1:7863")
    record = json.loads(capsys.readouterr().err)
    assert record["msg"] == "started listening" and record["addr"] == "127.0.0.1:7863"


def test_library_log_records_become_json_lines(
    capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    configure(json=True, message_key="msg", stdlib=True)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("grpc._server").exception("Exception calling application")
    (line,) = capsys.readouterr().err.splitlines()
    record = json.loads(line)
    assert record["msg"] == "Exception calling application" and record["level"] == "error"
    assert "ValueError: boom" in record["exception"]
