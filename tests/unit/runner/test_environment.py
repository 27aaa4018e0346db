from __future__ import annotations

import pytest

from waypost.errors import EnvironmentLimitError
from waypost.runner.environment import (
    LAST_OUTPUT,
    MAX_ENVIRON_BYTES,
    MAX_VALUE_BYTES,
    EnvChanges,
    apply_changes,
    diff_env,
    environ_size,
    fit_environ,
    is_output_name,
    output_value,
)


def test_diff_finds_new_changed_and_removed_variables():
    changes = diff_env(
        {"A": "1", "B": "2", "C": "3", "_": "x"},
        {"A": "1", "B": "9", "D": "4", "_": "y"},
        ignore={"_"},
    )
    assert dict(changes.set) == {"B": "9", "D": "4"}
    assert changes.unset == {"C"}


def test_apply_sets_and_unsets():
    env, warnings = apply_changes({"A": "1", "B": "2"}, EnvChanges({"A": "new"}, frozenset({"B"})))
    assert env == {"A": "new"}
    assert warnings == []


def test_oversized_value_is_not_stored_and_the_old_one_stays():
    big = "x" * MAX_VALUE_BYTES
    env, warnings = apply_changes({"BIG": "old"}, EnvChanges({"BIG": big, "OK": "1"}))
    assert env == {"BIG": "old", "OK": "1"}
    assert "BIG was not stored" in warnings[0]


def test_oversized_last_output_keeps_its_tail():
    value = "a" * MAX_VALUE_BYTES + "END"
    env, warnings = apply_changes({}, EnvChanges({LAST_OUTPUT: value}))
    assert env[LAST_OUTPUT].endswith("END")
    assert len(env[LAST_OUTPUT]) < MAX_VALUE_BYTES
    assert warnings == []


def test_total_size_is_bounded_by_refusing_the_largest_new_variables():
    chunk = "y" * (MAX_VALUE_BYTES - 100)
    changes = EnvChanges({f"V{i}": chunk for i in range(10)})
    env, warnings = apply_changes({}, changes)
    assert environ_size(env) <= MAX_ENVIRON_BYTES
    assert warnings


def test_fit_trims_last_output_to_make_room():
    env = {f"V{i}": "z" * (MAX_VALUE_BYTES - 100) for i in range(7)}
    env[LAST_OUTPUT] = "o" * (MAX_VALUE_BYTES - 100)
    fitted = fit_environ(env)
    assert environ_size(fitted) <= MAX_ENVIRON_BYTES
    assert fitted[LAST_OUTPUT].startswith("o")


def test_fit_names_the_culprit_when_nothing_can_be_trimmed():
    with pytest.raises(EnvironmentLimitError, match="HUGE"):
        fit_environ({"HUGE": "h" * (MAX_VALUE_BYTES + 10)})


def test_output_names_follow_runmes_rule():
    assert is_output_name("MY_OUTPUT")
    assert is_output_name("ABC")
    assert not is_output_name("__")
    assert not is_output_name("A_1")
    assert not is_output_name("my-output")
    assert not is_output_name("AB")


def test_output_value_drops_nul_bytes_and_keeps_utf8_whole():
    assert output_value(b"a\0b") == "ab"
    value = output_value(("é" * MAX_VALUE_BYTES).encode())
    assert set(value) == {"é"}
