"""The browser UI ships inside the package: built, complete, and talking to nobody but the server."""

from __future__ import annotations

import re
from pathlib import Path

from waypost.server.http.app import web_root

NAMESPACES = {
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/1998/Math/MathML",
}


def test_the_built_ui_is_in_the_package() -> None:
    root = web_root()
    assert root is not None, "src/waypost/web/index.html is missing: run `make web`"
    assert (root / "assets").is_dir()


def test_every_asset_the_page_names_is_shipped() -> None:
    root = web_root()
    assert root is not None
    page = (root / "index.html").read_text()
    named = re.findall(r'(?:src|href)="(/assets/[^"]+)"', page)
    assert any(n.endswith(".js") for n in named) and any(n.endswith(".css") for n in named)
    for name in named:
        assert (root / name.lstrip("/")).is_file(), name
    imports = re.compile(r"[\"'`](?:\./|/?assets/)([\w.-]+\.(?:js|css))[\"'`]")
    seen = 0
    for chunk in (root / "assets").glob("*.js"):
        for imported in imports.findall(chunk.read_text()):
            seen += 1
            assert (root / "assets" / imported).is_file(), f"{chunk.name} imports {imported}"
    assert seen, "lazy chunks (languages, terminal) are imported by name"


def test_the_ui_names_no_address_outside_the_server() -> None:
    root = web_root()
    assert root is not None
    found: set[str] = set()
    for path in [root / "index.html", *Path(root / "assets").iterdir()]:
        if path.suffix in (".html", ".js", ".css", ".webmanifest"):
            found.update(re.findall(r"https?://[\w.-]+(?:/[\w./-]*)?", path.read_text()))
    assert found <= NAMESPACES, sorted(found - NAMESPACES)
