"""``waypost run`` and ``waypost env`` from the terminal (here: CI, no TTY)."""

from __future__ import annotations

import subprocess

RUNBOOK = """\
# Deploy

```sh {"name":"login"}
export TOKEN=s3cr3t
echo logged in
```

```sh {"name":"use-token"}
echo "token is $TOKEN"
```

```sh {"name":"fail","tag":"broken"}
echo failing
exit 7
```

```sh {"name":"after"}
echo never runs
```
"""


def _book(tmp_path, text: str = RUNBOOK):
    (tmp_path / ".git").mkdir()
    (tmp_path / "README.md").write_text(text)
    return tmp_path


def test_run_prints_the_cells_output(waypost, tmp_path):
    done = waypost("run", "login", cwd=_book(tmp_path))
    assert done.returncode == 0
    assert done.stdout == "logged in\n"
    assert done.stderr == ""


def test_run_all_shares_one_session_and_stops_at_the_first_failure(waypost, tmp_path):
    done = waypost("run", "--all", cwd=_book(tmp_path))
    assert done.returncode == 7
    assert done.stdout == "logged in\ntoken is s3cr3t\nfailing\n"
    assert " ►  Running task login...\n" in done.stderr
    assert " ►  ✓ Task login exited with code 0\n" in done.stderr
    assert "Task fail exited with code 7" in done.stderr
    assert "after" not in done.stderr


def test_several_names_run_in_order_in_one_session(waypost, tmp_path):
    done = waypost("run", "login", "use-token", cwd=_book(tmp_path))
    assert done.returncode == 0
    assert done.stdout == "logged in\ntoken is s3cr3t\n"


def test_tag_selects_cells(waypost, tmp_path):
    done = waypost("run", "--tag", "broken", cwd=_book(tmp_path))
    assert done.returncode == 7
    assert done.stdout == "failing\n"


def test_unknown_name_lists_the_known_ones(waypost, tmp_path):
    done = waypost("run", "nope", cwd=_book(tmp_path))
    assert done.returncode == 1
    assert 'unable to find any script named "nope"' in done.stderr
    assert "login" in done.stderr and "use-token" in done.stderr


def test_ambiguous_name_lists_the_candidates(waypost, tmp_path):
    _book(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "other.md").write_text('```sh {"name":"login"}\necho other\n```\n')
    done = waypost("run", "login", cwd=tmp_path)
    assert done.returncode == 1
    assert "multiple matches" in done.stderr
    assert "README.md/login" in done.stderr and "docs/other.md/login" in done.stderr
    picked = waypost("run", "docs/other.md/login", cwd=tmp_path)
    assert picked.stdout == "other\n"


def test_parallel_prefixes_each_line_with_the_cell_name(waypost, tmp_path):
    done = waypost("run", "--parallel", "login", "use-token", cwd=_book(tmp_path))
    assert done.returncode == 0
    lines = sorted(done.stdout.splitlines())
    assert lines[0] == "[login] logged in"
    assert lines[1].startswith("[use-token] token is")  # with or without TOKEN: they race


def test_dry_run_prints_the_script_without_running_it(waypost, tmp_path):
    done = waypost("run", "--dry-run", "login", cwd=_book(tmp_path))
    assert done.returncode == 0
    assert done.stdout == ""
    assert "export TOKEN=s3cr3t" in done.stderr


def test_index_runs_the_nth_cell_of_a_file(waypost, tmp_path):
    done = waypost("run", "--filename", "README.md", "--index", "1", cwd=_book(tmp_path))
    assert done.stdout == "token is \n"


def test_read_cell_does_not_hang_without_a_terminal(waypost, tmp_path):
    _book(tmp_path, '```sh {"name":"ask"}\nread name || true\necho "Hi, $name!"\n```\n')
    done = waypost("run", "ask", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == "Hi, !\n"


def test_env_files_seed_the_run_with_local_winning(waypost, tmp_path):
    _book(tmp_path, '```sh {"name":"show"}\necho "$WHERE"\n```\n')
    (tmp_path / ".env").write_text("WHERE=env\n")
    (tmp_path / ".env.local").write_text("WHERE=local\n")
    assert waypost("run", "show", cwd=tmp_path).stdout == "local\n"
    reversed_order = waypost("run", "show", "--env-order", ".env,.env.local", cwd=tmp_path)
    assert reversed_order.stdout == "env\n"


def test_missing_interpreter_exits_127_naming_it(waypost, tmp_path):
    _book(tmp_path, '```ruby {"name":"rb","interpreter":"no-such-ruby"}\nputs 1\n```\n')
    done = waypost("run", "rb", cwd=tmp_path)
    assert done.returncode == 127
    assert "no-such-ruby: command not found" in done.stderr


def test_env_masks_secrets(waypost, tmp_path):
    _book(tmp_path)
    (tmp_path / ".env").write_text("API_TOKEN=abc\nPLAIN=visible\n")
    done = waypost("env", cwd=tmp_path, env={"DB_PASSWORD": "hunter2"})
    lines = done.stdout.splitlines()
    assert "API_TOKEN=****" in lines
    assert "DB_PASSWORD=****" in lines
    assert "PLAIN=visible" in lines
    assert "hunter2" not in done.stdout


def test_terminating_the_cli_ends_its_cells(waypost, tmp_path):
    import os
    import signal
    import sys
    import time

    _book(tmp_path, '```sh {"name":"long"}\necho started\nsleep 60\n```\n')
    proc = subprocess.Popen(
        [sys.executable, "-c", "from waypost.cli.main import run; run()", "run", "long"],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline() == b"started\n"
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=30) != 0
    proc.stdout.close()
    proc.stderr.close()
    time.sleep(0)  # the no-leftovers fixture checks that `sleep 60` is gone
