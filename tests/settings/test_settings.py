"""Settings: flat variable names fill nested groups; placeholders are refused outside dev mode."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pydantic import ValidationError

from settings import NluSettings, Settings, read_group, variables_of

REAL_SECRETS = {
    "LINE_CHANNEL_SECRET": "a-real-channel-secret",
    "LINE_CHANNEL_ACCESS_TOKEN": "a-real-access-token",
    "LOG_HASH_KEY": "a-real-hash-key",
    "ENCRYPTION_KEY": "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcyEhISE=",
}


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No setting from the process environment leaks in; the test sets its own."""
    for variable, _path, _field in variables_of(Settings):
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def test_flat_variables_fill_their_groups(environment: pytest.MonkeyPatch) -> None:
    for variable, value in {
        **REAL_SECRETS, "DATABASE_URL": "postgresql+psycopg://db/tsunagu", "WORKER_CONCURRENCY": "3",
        "NLU_BACKEND": "rasa", "RASA_URL": "http://rasa:5005", "STAFF_COOKIE_SECURE": "false",
        "DB_STATEMENT_TIMEOUT_MS": "900", "IN_PROCESS_WORKERS": "0", "WARD": "nerima",
    }.items():
        environment.setenv(variable, value)
    settings = Settings(_env_file=None)
    assert settings.database.url == "postgresql+psycopg://db/tsunagu"
    assert settings.database.statement_timeout_ms == 900
    assert settings.worker.concurrency == 3
    assert (settings.nlu.backend, settings.nlu.rasa_url) == ("rasa", "http://rasa:5005")
    assert settings.staff.cookie_secure is False
    assert settings.web.in_process_workers == 0
    assert settings.ward == "nerima"
    assert settings.line.channel_secret.get_secret_value() == "a-real-channel-secret"
    assert settings.redis.embedded and settings.redis.url == "memory://"  # a default


def test_arguments_beat_the_environment_which_beats_the_env_file(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DEV_MODE=true\nREDIS_URL=redis://from-file/0\nPORT=8100\nHOST=0.0.0.0\n", encoding="utf-8")
    environment.setenv("PORT", "8200")
    environment.setenv("HOST", "10.0.0.1")
    settings = Settings.from_variables({"HOST": "127.0.0.2"}, env_file=str(env_file))
    assert settings.dev_mode
    assert settings.redis.url == "redis://from-file/0"
    assert settings.web.port == 8200
    assert settings.web.host == "127.0.0.2"


def test_dev_placeholders_are_refused_outside_dev_mode(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("LINE_CHANNEL_SECRET", REAL_SECRETS["LINE_CHANNEL_SECRET"])
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None)
    message = str(refused.value)
    assert "LINE_CHANNEL_ACCESS_TOKEN, LOG_HASH_KEY, ENCRYPTION_KEY" in message
    assert "LINE_CHANNEL_SECRET," not in message
    assert Settings.from_variables({"DEV_MODE": "true"}, env_file=None).dev_mode
    assert not Settings.from_variables(REAL_SECRETS, env_file=None).dev_mode


def test_a_name_that_is_no_setting_is_an_error() -> None:
    with pytest.raises(KeyError, match="DATABASE_URI"):
        Settings.from_variables({"DEV_MODE": "true", "DATABASE_URI": "sqlite://"}, env_file=None)


def test_one_group_reads_alone_without_the_services_secrets(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("RASA_URL", "http://rasa:5005")
    environment.setenv("RASA_TIMEOUT_S", "0.3")
    nlu = read_group(NluSettings, env_file=None)
    assert (nlu.backend, nlu.rasa_url, nlu.rasa_timeout_s) == ("embedded", "http://rasa:5005", 0.3)


def test_every_variable_fills_one_field() -> None:
    counts = Counter(variable for variable, _path, _field in variables_of(Settings))
    assert [variable for variable, count in counts.items() if count > 1] == []
    paths = {variable: path for variable, path, _field in variables_of(Settings)}
    assert paths["DATABASE_URL"] == ("database", "url")
    assert paths["DEV_MODE"] == ("dev_mode",)


def test_redis_key_names_use_their_own_secret_or_one_derived_from_the_log_key(environment: pytest.MonkeyPatch) -> None:
    derived = Settings.from_variables({**REAL_SECRETS}, env_file=None).security.redis_key_name_secret()
    other_log_key = Settings.from_variables({**REAL_SECRETS, "LOG_HASH_KEY": "another-hash-key"}, env_file=None)
    own = Settings.from_variables({**REAL_SECRETS, "REDIS_KEY_SECRET": "a-redis-key-secret"}, env_file=None)
    assert derived == Settings.from_variables({**REAL_SECRETS}, env_file=None).security.redis_key_name_secret()
    assert derived not in (REAL_SECRETS["LOG_HASH_KEY"], other_log_key.security.redis_key_name_secret())
    assert own.security.redis_key_name_secret() == "a-redis-key-secret"
