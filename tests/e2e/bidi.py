"""Just enough WebDriver BiDi to drive Debian's Firefox ESR without geckodriver or a download:
navigate, evaluate script, collect console errors. Playwright only drives its own Firefox build."""

from __future__ import annotations

import json
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

CONTROL = "\ue009"
ENTER = "\ue007"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Firefox:
    """A headless Firefox with one browsing context, started fresh and closed on exit."""

    def __init__(self, executable: Path) -> None:
        port = _free_port()
        self.profile = tempfile.TemporaryDirectory()
        self.process = subprocess.Popen(
            [str(executable), "--headless", "--remote-debugging-port", str(port),
             "-profile", self.profile.name, "-no-remote"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.errors: list[str] = []
        self._next = 0
        deadline = time.monotonic() + 30
        while True:
            try:
                self.socket: ClientConnection = connect(
                    f"ws://127.0.0.1:{port}/session", max_size=None
                ).__enter__()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.close()
                    raise
                time.sleep(0.2)
        self.call("session.new", capabilities={})
        self.call("session.subscribe", events=["log.entryAdded"])
        self.context = self.call("browsingContext.getTree")["contexts"][0]["context"]
        self.call(
            "browsingContext.setViewport",
            context=self.context,
            viewport={"width": 1280, "height": 800},
        )

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next += 1
        self.socket.send(json.dumps({"id": self._next, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=60))
            if message.get("type") == "event":
                entry = message["params"]
                if message["method"] == "log.entryAdded" and entry.get("level") == "error":
                    self.errors.append(str(entry.get("text")))
                continue
            if message.get("id") == self._next:
                if message.get("type") == "error":
                    raise RuntimeError(f"{method}: {message.get('message')}")
                return message["result"]

    def navigate(self, url: str) -> None:
        self.call("browsingContext.navigate", context=self.context, url=url, wait="complete")

    def evaluate(self, expression: str) -> Any:
        """The value of a (possibly async) expression, as JSON-able data."""
        result = self.call(
            "script.evaluate",
            expression=f"(async () => JSON.stringify(await ({expression})))()",
            target={"context": self.context},
            awaitPromise=True,
        )
        if result.get("type") == "exception":
            raise RuntimeError(result["exceptionDetails"].get("text"))
        value = result["result"].get("value")
        return None if value is None else json.loads(value)

    def type(self, text: str, *, ctrl: bool = False) -> None:
        """Keys as a person types them into whatever has focus (``ctrl``: with Control held)."""
        keys: list[dict[str, str]] = []
        for char in text:
            keys += [{"type": "keyDown", "value": char}, {"type": "keyUp", "value": char}]
        if ctrl:
            keys = [
                {"type": "keyDown", "value": CONTROL},
                *keys,
                {"type": "keyUp", "value": CONTROL},
            ]
        self.call(
            "input.performActions",
            context=self.context,
            actions=[{"type": "key", "id": "keyboard", "actions": keys}],
        )

    def wait_for(self, expression: str, timeout: float = 15) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(f"Boolean({expression})")
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(expression)
            time.sleep(0.1)

    def close(self) -> None:
        if hasattr(self, "socket"):
            self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.profile.cleanup()

    def __enter__(self) -> Firefox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
