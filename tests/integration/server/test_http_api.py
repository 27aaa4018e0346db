"""The JSON API over a real socket: files, notebooks, safe saving, and the security rules."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from tests.integration.server.conftest import TOKEN, Server


def test_files_lists_runbooks_and_their_cells(server: Server) -> None:
    with server.client() as client:
        files = client.get("/api/files").json()["files"]
    paths = [f["path"] for f in files]
    assert paths == ["README.md", "docs/ops.md"]
    ops = files[1]
    assert ops["cells"] == [{"name": "ls", "id": ops["cells"][0]["id"], "index": 2, "named": True}]


def test_open_then_save_an_edit_changes_only_that_cell(server: Server) -> None:
    path = server.root / "edit.md"
    original = '# Title\n\nSome *prose*  with  spacing\n\n```sh {"name":"a"}\necho a\n```\n\n~~~\nkeep\n~~~\n'
    path.write_text(original)
    with server.client() as client:
        opened = client.get("/api/notebook", params={"path": "edit.md"}).json()
        cells = opened["notebook"]["cells"]
        cells[2]["value"] = "echo changed"
        saved = client.put("/api/notebook", params={"path": "edit.md"},
                           json={"hash": opened["hash"], "cells": cells})  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert path.read_text() == original.replace("echo a", "echo changed")
    assert saved.json()["hash"] != opened["hash"]


def test_saving_over_a_change_on_disk_is_a_conflict_and_loses_nothing(server: Server) -> None:
    path = server.root / "conflict.md"
    path.write_text("# V1\n")
    with server.client() as client:
        opened = client.get("/api/notebook", params={"path": "conflict.md"}).json()
        path.write_text("# V2 from someone else\n")
        cells = opened["notebook"]["cells"] + [{"kind": "markup", "value": "mine"}]
        refused = client.put("/api/notebook", params={"path": "conflict.md"},
                             json={"hash": opened["hash"], "cells": cells})  # fmt: skip
        assert refused.status_code == 409
        assert refused.json()["error"] == "conflict"
        assert path.read_text() == "# V2 from someone else\n"
        forced = client.put("/api/notebook", params={"path": "conflict.md"},
                            json={"force": True, "cells": cells})  # fmt: skip
    assert forced.status_code == 200
    assert path.read_text() == "# V1\n\nmine\n"


def test_a_new_file_is_created_on_save(server: Server) -> None:
    with server.client() as client:
        created = client.put("/api/notebook", params={"path": "new/fresh.md"},
                             json={"hash": "", "cells": [{"kind": "markup", "value": "# Fresh"}]})  # fmt: skip
    assert created.status_code == 200, created.text
    assert (server.root / "new" / "fresh.md").read_text() == "# Fresh\n"


def test_paths_outside_the_project_are_refused(server: Server, tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text("secret")
    (server.root / "escape.md").symlink_to(outside)
    with server.client() as client:
        for name in [
            "../secret.md",
            "/etc/passwd.md",
            str(outside),
            "escape.md",
            "docs/../../x.md",
        ]:
            response = client.get("/api/notebook", params={"path": name})
            assert response.status_code == 400, name
            assert "outside the project" in response.json()["message"]
            assert "secret" not in response.text.replace("secret.md", "")


def test_only_runbooks_can_be_opened(server: Server) -> None:
    with server.client() as client:
        response = client.get("/api/notebook", params={"path": "conftest.py"})
    assert response.status_code == 400 and "not a runbook" in response.json()["message"]


def test_requests_without_a_valid_token_are_refused_and_learn_nothing(server: Server) -> None:
    for token in (None, "wrong"):
        with server.client(token=token) as client:
            for method, path in [("GET", "/api/files"), ("GET", "/api/notebook?path=README.md"),
                                 ("PUT", "/api/notebook?path=README.md"), ("GET", "/api/openapi.json"),
                                 ("POST", "/api/generate"), ("GET", "/nope")]:  # fmt: skip
                response = client.request(method, path)
                assert response.status_code == 401, (method, path)
                assert response.json() == {"error": "unauthenticated"}


def test_health_is_open_but_says_nothing(server: Server) -> None:
    response = httpx.get(f"{server.url}/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_wrong_origin_is_refused(server: Server) -> None:
    with server.client() as client:
        response = client.get("/api/files", headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers


def test_configured_origin_gets_cors_without_wildcard(server: Server) -> None:
    origin = "http://allowed.example:3000"
    with server.client() as client:
        response = client.get("/api/files", headers={"Origin": origin})
        preflight = client.options("/api/files", headers={
            "Origin": origin, "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization"})  # fmt: skip
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["access-control-allow-credentials"] == "true"
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == origin
    assert "authorization" in preflight.headers["access-control-allow-headers"]


def test_browser_trades_the_token_in_the_url_for_a_cookie(server: Server) -> None:
    with httpx.Client(base_url=server.url, follow_redirects=False) as client:
        landing = client.get("/", params={"token": TOKEN})
        assert landing.status_code == 303 and landing.headers["location"] == "/"
        cookie = landing.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        assert client.get("/api/files").status_code == 200  # the cookie now authenticates
    assert httpx.get(f"{server.url}/?token=wrong").status_code == 401


def test_oversize_requests_are_refused(server: Server) -> None:
    with server.client() as client:
        big = b"x" * (33 * 1024 * 1024)
        response = client.put("/api/notebook", params={"path": "big.md"}, content=big,
                              headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 413
    assert not (server.root / "big.md").exists()


def test_malformed_bodies_get_400_naming_the_field(server: Server) -> None:
    with server.client() as client:
        bad_json = client.put("/api/notebook", params={"path": "x.md"}, content=b"{nope",
                              headers={"content-type": "application/json"})  # fmt: skip
        bad_cells = client.put("/api/notebook", params={"path": "x.md"},
                               json={"hash": "", "cells": [{"kind": "weird", "value": 1}]})  # fmt: skip
    assert bad_json.status_code == 400 and "not JSON" in bad_json.json()["message"]
    assert bad_cells.status_code == 400 and "cells[0]" in bad_cells.json()["message"]


def test_saving_keeps_file_permissions(server: Server) -> None:
    path = server.root / "perm.md"
    path.write_text("# P\n")
    os.chmod(path, 0o640)
    with server.client() as client:
        opened = client.get("/api/notebook", params={"path": "perm.md"}).json()
        cells = opened["notebook"]["cells"] + [{"kind": "markup", "value": "more"}]
        client.put(
            "/api/notebook",
            params={"path": "perm.md"},
            json={"hash": opened["hash"], "cells": cells},
        )
    assert path.stat().st_mode & 0o777 == 0o640


def test_rename_moves_a_runbook_and_never_overwrites(server: Server) -> None:
    (server.root / "old.md").write_text("# Old\n")
    (server.root / "taken.md").write_text("# Taken\n")
    with server.client() as client:
        moved = client.post("/api/files/rename", json={"from": "old.md", "to": "moved/new.md"})
        assert moved.status_code == 200, moved.text
        assert moved.json() == {"path": "moved/new.md"}
        taken = client.post("/api/files/rename", json={"from": "moved/new.md", "to": "taken.md"})
        assert taken.status_code == 409 and taken.json()["error"] == "conflict"
        missing = client.post("/api/files/rename", json={"from": "old.md", "to": "other.md"})
        assert missing.status_code == 404
        outside = client.post("/api/files/rename", json={"from": "taken.md", "to": "../x.md"})
        assert outside.status_code == 400
        not_runbook = client.post("/api/files/rename", json={"from": "taken.md", "to": "x.py"})
        assert not_runbook.status_code == 400 and "to" in not_runbook.json()["message"]
    assert (server.root / "moved" / "new.md").read_text() == "# Old\n"
    assert not (server.root / "old.md").exists()
    assert (server.root / "taken.md").read_text() == "# Taken\n"


def test_metrics_count_requests_and_executions(server: Server) -> None:
    with server.client() as client:
        client.get("/api/files")
        client.post(
            "/api/run", json={"cell": {"kind": "code", "value": "true", "languageId": "sh"}}
        )
        text = client.get("/metrics").text
        anonymous = httpx.get(f"{server.url}/metrics")
    assert 'waypost_http_requests_total{method="GET",route="/api/files",status="200"}' in text
    assert 'waypost_executions_total{via="http"}' in text
    assert "waypost_learner_lag_seconds" in text and "waypost_learned_examples" in text
    assert anonymous.status_code == 401
