from __future__ import annotations

import pytest

from waypost.errors import ExecutionNotFoundError, SessionNotFoundError
from waypost.runner import ExecutionId, Runner, SessionId


def test_sessions_are_created_seeded_listed_updated_and_deleted(tmp_path):
    (tmp_path / ".env").write_text("FROM_FILE=1\n")
    with Runner(system_env={"SYSTEM": "s"}) as runner:
        session = runner.create_session({"REQUEST": "r"}, {"owner": "me"}, project=tmp_path)
        assert dict(session.env) == {"SYSTEM": "s", "FROM_FILE": "1", "REQUEST": "r"}
        assert runner.get_session(session.id).metadata["owner"] == "me"
        updated = runner.update_session(session.id, env={"MORE": "m"})
        assert updated.version == 2 and updated.env["MORE"] == "m"
        assert [s.id for s in runner.list_sessions()] == [session.id]
        runner.delete_session(session.id)
        with pytest.raises(SessionNotFoundError):
            runner.get_session(session.id)


def test_session_without_system_seed_has_only_what_it_was_given():
    with Runner(system_env={"SYSTEM": "s"}) as runner:
        assert dict(runner.create_session({"A": "1"}, seed_system=False).env) == {"A": "1"}


def test_unknown_ids_are_errors_naming_them():
    with Runner() as runner:
        with pytest.raises(SessionNotFoundError, match="nope"):
            runner.delete_session(SessionId("nope"))
        with pytest.raises(ExecutionNotFoundError, match="gone"):
            runner.get_execution(ExecutionId("gone"))
