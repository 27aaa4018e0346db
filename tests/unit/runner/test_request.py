from __future__ import annotations

from pathlib import Path

from waypost.notebook import parse
from waypost.runner.request import request_for_cell

BOOK = b"""---
shell: bash
cwd: sub
---

# Title

```sh {"id":"01HF7BT3HD84GWTQB8ZCWPH803","name":"MY_CELL","interactive":"false","background":"true","mimeType":"text/csv","stdout":"o.log"}
$ echo one
echo two
```

```js {"interpreter":"deno run"}
console.log(`${1}`)
$notAPrompt()
```
"""


def test_shell_cell_becomes_a_request_with_runme_semantics(tmp_path: Path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "book.md"
    notebook = parse(BOOK)
    index = notebook.find("01HF7BT3HD84GWTQB8ZCWPH803")
    request = request_for_cell(notebook, index, document=path)
    assert request.commands == (" echo one", "echo two")
    assert request.shell == "bash"
    assert request.directory == str(tmp_path / "sub")
    assert not request.interactive
    assert request.background
    assert request.mime_type == "text/csv"
    assert request.stdout_path == "o.log"
    assert request.known_id == "01HF7BT3HD84GWTQB8ZCWPH803"
    assert request.known_name == "MY_CELL"
    assert dict(request.run_env) == {"RUNME_ID": "01HF7BT3HD84GWTQB8ZCWPH803"}
    assert [c.kind for c in request.context] == ["markup"]


def test_other_languages_run_as_written(tmp_path: Path):
    notebook = parse(BOOK)
    index = max(i for i, c in enumerate(notebook.cells) if c.is_code)
    request = request_for_cell(notebook, index, document=tmp_path / "book.md")
    assert request.script == "console.log(`${1}`)\n$notAPrompt()"
    assert request.commands == ()
    assert request.program == "deno run"
    assert request.interactive  # Runme's default for cells that do not say
