"""The event log on disk: one complete JSON line per event, even when the writer is killed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

WRITER = """
import sys
from pathlib import Path
from waypost.learn import JsonlEventSink
from waypost.learn import events
sink = JsonlEventSink(Path(sys.argv[1]))
i = 0
while True:
    sink.emit(events.execute(cell_id=f"cell-{i}", command="echo " + "x" * 5000, language="sh",
                             exit_code=0, duration_ms=1.0, context=[]))
    i += 1
"""


def test_a_killed_writer_leaves_a_readable_log(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)])
    log = tmp_path / "events.jsonl"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not log.exists() or log.stat().st_size < 2_000_000):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    lines = log.read_bytes().split(b"\n")
    complete, last = lines[:-1], lines[-1]
    assert len(complete) > 100
    ids = [json.loads(line)["cell_id"] for line in complete]
    assert ids == [f"cell-{i}" for i in range(len(ids))]  # nothing lost or reordered
    assert last == b"" or not last.endswith(b"}")  # at most one partial line, at the end


def test_events_rotate_into_time_ordered_files(tmp_path: Path) -> None:
    from waypost.learn import JsonlEventSink, events

    sink = JsonlEventSink(tmp_path, max_bytes=2000)
    for i in range(50):
        sink.emit(events.accepted(f"c{i}"))
    files = [*sorted(tmp_path.glob("events-*.jsonl")), tmp_path / "events.jsonl"]
    assert len(files) > 2
    ids = [json.loads(line)["cell_id"] for f in files for line in f.read_text().splitlines()]
    assert ids == [f"c{i}" for i in range(50)]
