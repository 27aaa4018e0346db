from __future__ import annotations

from waypost.runner.resolve import ResolveMode, Retention, VarStatus
from waypost.runner.resolve import resolve_variables as resolve

CELL = [
    'export PROJECT="my-project"',
    "export REGION=us east 1",
    "export EMPTY=",
    "export COMPUTED=$(date)",
    "export WITH_DEFAULT=${WITH_DEFAULT:-fallback}",
    "export API_TOKEN",
    "cat <<EOF",
    "export INSIDE_HEREDOC=1",
    "EOF",
    "echo done",
]


def _by_name(result):
    return {v.name: v for v in result.vars}


def test_quoted_values_are_placeholders_and_bare_ones_messages():
    found = _by_name(resolve(CELL))
    assert found["PROJECT"].status is VarStatus.UNRESOLVED_WITH_PLACEHOLDER
    assert found["PROJECT"].original_value == "my-project"
    assert found["REGION"].status is VarStatus.UNRESOLVED_WITH_MESSAGE
    assert found["REGION"].original_value == "us east 1"
    assert found["WITH_DEFAULT"].original_value == "fallback"
    assert found["EMPTY"].status is VarStatus.UNSPECIFIED
    assert found["API_TOKEN"].status is VarStatus.UNRESOLVED_WITH_SECRET


def test_expansions_and_heredoc_bodies_are_not_exports_to_resolve():
    names = set(_by_name(resolve(CELL)))
    assert "COMPUTED" not in names
    assert "INSIDE_HEREDOC" not in names


def test_known_values_resolve_and_come_first():
    result = resolve(CELL, sources=[{"REGION": "eu"}], session={"PROJECT": "p"})
    assert [v.name for v in result.vars][:2] == ["PROJECT", "REGION"]
    assert _by_name(result)["REGION"].resolved_value == "eu"


def test_skip_all_resolves_everything():
    result = resolve(CELL, mode=ResolveMode.SKIP_ALL)
    assert not result.unresolved
    assert _by_name(result)["PROJECT"].resolved_value == "my-project"


def test_first_run_comments_out_exports_the_session_has():
    result = resolve(CELL, session={"PROJECT": "mine"})
    assert result.script.startswith("# Managed env store retention strategy: first\n\n")
    assert "# PROJECT set in managed env store" in result.script
    assert "\nexport PROJECT=" not in result.script
    last = resolve(CELL, session={"PROJECT": "mine"}, retention=Retention.LAST_RUN)
    assert 'export PROJECT="my-project"' in last.script
