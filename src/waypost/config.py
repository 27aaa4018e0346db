"""Settings: one TOML file per user and per project, overridden by ``WAYPOST_*`` variables.

Precedence, lowest first: defaults; ``~/.config/waypost/config.toml`` (``$XDG_CONFIG_HOME``); the
project's ``waypost.toml``; environment variables ``WAYPOST_<SECTION>_<KEY>`` (``WAYPOST_AI_PROVIDER``
sets ``ai.provider``). ``waypost config get/set`` reads and edits the files, keeping their comments.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import tomlkit

from waypost.errors import ConfigError

__all__ = [
    "AIConfig",
    "Config",
    "LearnConfig",
    "ServerConfig",
    "StoreConfig",
    "config_paths",
    "load_config",
    "set_value",
    "state_dir",
    "user_config_path",
]

PROVIDERS = ("offline", "openai", "anthropic", "openai-compatible")


@dataclass(frozen=True, slots=True)
class AIConfig:
    provider: str = "offline"
    """``offline`` (learned examples, no network), ``openai``, ``anthropic`` or ``openai-compatible``."""
    model: str = ""
    """Model name; empty means the provider's default."""
    base_url: str = ""
    """API base URL (required for ``openai-compatible``: Ollama, vLLM, llama.cpp server...)."""
    api_key_env: str = ""
    """Name of the variable holding the API key (default: ``OPENAI_API_KEY`` / ``ANTHROPIC_API_KEY``)."""
    api_key_file: str = ""
    """Or a file holding the key."""
    timeout: float = 30.0
    """Seconds per request."""
    max_retries: int = 2
    """Retries (with backoff) on rate limits, timeouts and server errors."""
    max_tokens: int = 1024
    temperature: float = 0.2
    budget: int = 8000
    """How much notebook context goes into a prompt, in ``budget_unit``."""
    budget_unit: str = "chars"
    """``chars`` or ``tokens`` (estimated)."""
    examples: int = 3
    """How many learned examples go into an LLM prompt."""


@dataclass(frozen=True, slots=True)
class LearnConfig:
    events_dir: str = ""
    """Where the event log lives (default: ``$XDG_STATE_HOME/waypost/events``)."""
    db: str = ""
    """The learning database: examples, cell records, log watermarks
    (default: ``$XDG_STATE_HOME/waypost/learn.sqlite``)."""
    threshold: float = 0.0
    """Confidence below which the offline assistant abstains; 0 means the calibrated default."""
    memory_examples: int = 20000
    """With a PostgreSQL store: a team with more examples than this is searched in the database
    for each suggestion instead of being held whole in every replica's memory."""


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8877
    grpc_port: int = 7863
    token: str = ""
    cors_origins: tuple[str, ...] = ()
    team: str = "default"
    """With a PostgreSQL store: the team this server's sessions, events and examples belong to."""
    advertise_url: str = ""
    """How the team's other replicas reach this one (default: ``http://<host>:<port>``)."""


@dataclass(frozen=True, slots=True)
class StoreConfig:
    url: str = ""
    """Empty: files and SQLite under the state directory; ``postgresql://...`` for a team."""


@dataclass(frozen=True, slots=True)
class Config:
    ai: AIConfig = field(default_factory=AIConfig)
    learn: LearnConfig = field(default_factory=LearnConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    store: StoreConfig = field(default_factory=StoreConfig)

    def get(self, key: str) -> Any:
        section, name = _split_key(key)
        return getattr(getattr(self, section), name)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {f.name: dataclasses.asdict(getattr(self, f.name)) for f in fields(self)}

    @property
    def events_dir(self) -> Path:
        return Path(self.learn.events_dir) if self.learn.events_dir else state_dir() / "events"

    @property
    def learn_db(self) -> Path:
        return Path(self.learn.db) if self.learn.db else state_dir() / "learn.sqlite"


def user_config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "waypost" / "config.toml"


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("WAYPOST_STATE_DIR"):
        return Path(env["WAYPOST_STATE_DIR"])
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "waypost"


def config_paths(project_root: Path | None, env: Mapping[str, str] | None = None) -> list[Path]:
    paths = [user_config_path(env)]
    if project_root is not None:
        paths.append(project_root / "waypost.toml")
    return paths


def _split_key(key: str, where: str | None = None) -> tuple[str, str]:
    section, _, name = key.partition(".")
    sections = {f.name: f.type for f in fields(Config)}
    if section not in sections or not name:
        raise ConfigError(
            f"unknown setting {key!r}; sections are {', '.join(sections)}", where=where
        )
    known = {f.name for f in fields(getattr(Config(), section))}
    if name not in known:
        raise ConfigError(
            f"unknown setting {key!r}; {section} has {', '.join(sorted(known))}", where=where
        )
    return section, name


def _coerce(key: str, value: Any, default: Any, where: str) -> Any:
    """Check a value against the type of its default; strings from the environment are parsed."""
    try:
        if isinstance(default, bool):
            if isinstance(value, str):
                if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError(value)
                return value.lower() in ("true", "1", "yes")
            if not isinstance(value, bool):
                raise ValueError(value)
            return value
        if isinstance(default, int):
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        if isinstance(default, float):
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if isinstance(default, tuple):
            if isinstance(value, str):
                return tuple(v.strip() for v in value.split(",") if v.strip())
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(value)
            return tuple(value)
        if not isinstance(value, str):
            raise ValueError(value)
        return value
    except (TypeError, ValueError):
        kind = type(default).__name__
        raise ConfigError(f"{key} must be a {kind}, got {value!r}", where=where) from None


def _apply(config: Config, values: Mapping[str, Any], where: str) -> Config:
    for section, table in values.items():
        if not isinstance(table, Mapping):
            raise ConfigError(f"[{section}] must be a table", where=where)
        current = getattr(config, section, None)
        if current is None or section not in {f.name for f in fields(Config)}:
            raise ConfigError(f"unknown section [{section}]", where=where)
        changes = {}
        for name, value in table.items():
            key = f"{section}.{name}"
            _split_key(key, where)
            changes[name] = _coerce(key, value, getattr(current, name), where)
        config = replace(config, **{section: replace(current, **changes)})
    return _validate(config, where)


def _validate(config: Config, where: str) -> Config:
    if config.ai.provider not in PROVIDERS:
        raise ConfigError(
            f"ai.provider must be one of {', '.join(PROVIDERS)}, got {config.ai.provider!r}",
            where=where,
        )
    if config.ai.budget_unit not in ("chars", "tokens"):
        raise ConfigError("ai.budget_unit must be chars or tokens", where=where)
    if config.ai.budget < 200:
        raise ConfigError("ai.budget must be at least 200", where=where)
    return config


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", where=str(path)) from None


def load_config(
    project_root: Path | None = None, env: Mapping[str, str] | None = None, **overrides: Any
) -> Config:
    """Defaults, then the files, then ``WAYPOST_*`` variables, then ``overrides`` (``ai_provider=``)."""
    env = os.environ if env is None else env
    config = Config()
    for path in config_paths(project_root, env):
        config = _apply(config, _read(path), str(path))
    from_env: dict[str, dict[str, str]] = {}
    for name, value in env.items():
        if not name.startswith("WAYPOST_") or name == "WAYPOST_STATE_DIR":
            continue
        section, _, key = name[len("WAYPOST_") :].lower().partition("_")
        if section in {f.name for f in fields(Config)} and key:
            from_env.setdefault(section, {})[key] = value
    config = _apply(config, from_env, "environment")
    given: dict[str, dict[str, Any]] = {}
    for name, value in overrides.items():
        if value is not None:
            section, _, key = name.partition("_")
            given.setdefault(section, {})[key] = value
    return _apply(config, given, "command line")


def set_value(path: Path, key: str, value: str) -> None:
    """Set ``key`` in the TOML file at ``path`` (created if missing), keeping everything else."""
    section, name = _split_key(key)
    default = getattr(getattr(Config(), section), name)
    typed = _coerce(key, value, default, str(path))
    _apply(Config(), {section: {name: typed}}, key)
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        document = tomlkit.document()
    except Exception as exc:
        raise ConfigError(f"invalid TOML: {exc}", where=str(path)) from None
    table = document.get(section)
    if table is None:
        table = tomlkit.table()
        document[section] = table
    table[name] = list(typed) if isinstance(typed, tuple) else typed
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomlkit.dumps(document), encoding="utf-8")
    tmp.replace(path)
