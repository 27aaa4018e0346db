from __future__ import annotations

from pathlib import Path

import pytest

from waypost.config import load_config, set_value, user_config_path
from waypost.errors import ConfigError


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), **extra}


def test_defaults(tmp_path: Path) -> None:
    config = load_config(env=env_for(tmp_path))
    assert config.ai.provider == "offline" and config.server.host == "127.0.0.1"


def test_project_file_overrides_user_file_and_env_overrides_both(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    set_value(user_config_path(env), "ai.provider", "openai")
    set_value(user_config_path(env), "ai.model", "m1")
    (tmp_path / "waypost.toml").write_text('[ai]\nmodel = "m2"\n')
    config = load_config(tmp_path, env)
    assert (config.ai.provider, config.ai.model) == ("openai", "m2")
    config = load_config(tmp_path, {**env, "WAYPOST_AI_MODEL": "m3", "WAYPOST_AI_TIMEOUT": "5"})
    assert (config.ai.model, config.ai.timeout) == ("m3", 5.0)


def test_set_keeps_comments(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('# mine\n[ai]\n# the model\nmodel = "x"\n')
    set_value(path, "ai.provider", "anthropic")
    text = path.read_text()
    assert "# mine" in text and "# the model" in text and 'provider = "anthropic"' in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[ai]\nprovider = "gpt"\n', "ai.provider must be one of"),
        ('[ai]\ntimeout = "soon"\n', "ai.timeout must be a float"),
        ("[nope]\nx = 1\n", "unknown section [nope]"),
        ("[ai]\ncolour = 1\n", "unknown setting 'ai.colour'"),
        ("[ai\n", "invalid TOML"),
    ],
)
def test_bad_config_names_the_file_and_the_problem(
    tmp_path: Path, content: str, message: str
) -> None:
    (tmp_path / "waypost.toml").write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, env_for(tmp_path))
    assert message in str(caught.value)
    assert "waypost.toml" in str(caught.value)


def test_bad_env_value_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"environment: ai\.max_retries must be a int"):
        load_config(env=env_for(tmp_path, WAYPOST_AI_MAX_RETRIES="many"))
