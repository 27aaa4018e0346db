from __future__ import annotations

from waypost.runner.session import new_session


def test_new_session_has_an_id_and_version_one():
    session = new_session({"A": "1"}, {"owner": "me"})
    assert len(session.id) == 26
    assert session.version == 1
    assert dict(session.env) == {"A": "1"}


def test_a_change_is_a_new_version_and_leaves_the_old_one_alone():
    first = new_session({"A": "1"})
    second = first.changed(env={"A": "2"})
    assert second.version == 2 and second.id == first.id
    assert first.env["A"] == "1" and second.env["A"] == "2"
    assert second.metadata == first.metadata
