from __future__ import annotations

import pytest

from waypost.runner.masking import MASK, looks_secret, mask_env


@pytest.mark.parametrize(
    "name",
    [
        "API_KEY",
        "GITHUB_TOKEN",
        "DB_PASSWORD",
        "AWS_SECRET_ACCESS_KEY",
        "npm_config__auth",
        "SENTRY_DSN",
        "ACCESSTOKEN",
    ],
)
def test_secret_looking_names_are_secret(name):
    assert looks_secret(name)


@pytest.mark.parametrize(
    "name", ["PATH", "HOME", "PWD", "OLDPWD", "SSH_AUTH_SOCK", "LANG", "EDITOR"]
)
def test_ordinary_names_are_not(name):
    assert not looks_secret(name)


def test_mask_env_hides_only_secret_values_that_are_set():
    masked = mask_env({"API_TOKEN": "abc", "EMPTY_TOKEN": "", "USER": "me"})
    assert masked == {"API_TOKEN": MASK, "EMPTY_TOKEN": "", "USER": "me"}
