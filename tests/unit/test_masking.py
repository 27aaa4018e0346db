from __future__ import annotations

import pytest

from waypost.masking import MASK, is_secret_name, mask_env, mask_value, redact


@pytest.mark.parametrize(
    "name",
    ["API_KEY", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "dbPassword", "PGPASSWORD",
     "SLACK_BOT_TOKEN", "OPENAI_API_KEY", "SENTRY_DSN", "MY_PASSPHRASE", "GH_PAT",
     "npm_config__auth", "ACCESSTOKEN", "PRIVATEKEY"],
)  # fmt: skip
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name", ["PATH", "HOME", "PWD", "OLDPWD", "KEYMAP", "SHELL", "TERM", "USER"]
)
def test_ordinary_names(name: str) -> None:
    assert not is_secret_name(name)


def test_mask_value_hides_only_secrets() -> None:
    assert mask_value("API_KEY", "abc") == "****"
    assert mask_value("HOME", "/root") == "/root"


def test_redact_replaces_values_of_secret_variables() -> None:
    env = {"API_KEY": "abcd1234", "HOME": "/root"}
    assert redact("key=abcd1234 home=/root", env) == "key=**** home=/root"


def test_redact_catches_credentials_in_text() -> None:
    text = "postgres://app:s3cret@db:5432/x AKIAABCDEFGHIJKLMNOP ghp_abcdefghijklmnopqrstuvwx"
    assert redact(text) == "postgres://****@db:5432/x **** ****"


def test_mask_env_hides_only_secret_values_that_are_set() -> None:
    masked = mask_env({"API_TOKEN": "abc", "EMPTY_TOKEN": "", "USER": "me"})
    assert masked == {"API_TOKEN": MASK, "EMPTY_TOKEN": "", "USER": "me"}
