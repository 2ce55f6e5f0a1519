"""Settings, read once from the environment (and an optional .env file), in groups.

Below every package (bot, flows, handoff, nlu and migrations may import it; it imports none
of them), so each takes what it needs as arguments from whoever built the settings: the
composition root (bot/services.py) or a command's ``main``.  Nothing else the service runs reads
``os.environ``.  Embedded defaults need no servers: SQLite, in-process state and NLU.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TypeVar

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from settings.groups import (
    DATA_DIR,
    DEFAULT_LINE_API,
    DEV_ACCESS_TOKEN,
    DEV_CHANNEL_SECRET,
    DEV_ENCRYPTION_KEY,
    DEV_HASH_KEY,
    EMBEDDED_REDIS,
    REPO_ROOT,
    ConversationSettings,
    DatabaseSettings,
    DeliverySettings,
    Group,
    LineSettings,
    NluSettings,
    RedisSettings,
    SecuritySettings,
    StaffSettings,
    WebhookSettings,
    WebSettings,
    WorkerSettings,
)
from settings.variables import FlatVariables, grouped, variables_of

__all__ = [
    "DATA_DIR", "DEFAULT_LINE_API", "EMBEDDED_REDIS", "REPO_ROOT",
    "ConversationSettings", "DatabaseSettings", "DeliverySettings", "LineSettings", "NluSettings",
    "RedisSettings", "SecuritySettings", "Settings", "StaffSettings", "WebSettings",
    "WebhookSettings", "WorkerSettings",
    "get_settings", "grouped", "read_group", "variables_of",
]

ENV_FILE = ".env"
G = TypeVar("G", bound=Group)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=ENV_FILE, extra="ignore", frozen=True, validate_by_name=True, validate_by_alias=True
    )

    # Simulator and local Messaging API; placeholder secrets allowed (never in production).
    dev_mode: bool = Field(default=False, validation_alias="DEV_MODE")
    # Which ward's centres (data/centres/<ward>.yml) the bot routes to.
    ward: str = Field(default="edogawa", validation_alias="WARD")
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")

    web: WebSettings = Field(default_factory=WebSettings)
    line: LineSettings = Field(default_factory=LineSettings)
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    conversation: ConversationSettings = Field(default_factory=ConversationSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    nlu: NluSettings = Field(default_factory=NluSettings)
    staff: StaffSettings = Field(default_factory=StaffSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Arguments first, then the environment, then .env: as pydantic-settings orders them,
        # with flat variable names placed into their groups.
        assert isinstance(env_settings, EnvSettingsSource)
        assert isinstance(dotenv_settings, DotEnvSettingsSource)
        return (
            init_settings,
            FlatVariables(settings_cls, env_settings.env_vars),
            FlatVariables(settings_cls, dotenv_settings.env_vars),
        )

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> Settings:
        if self.dev_mode:
            return self
        placeholders: dict[str, tuple[SecretStr, str]] = {
            "LINE_CHANNEL_SECRET": (self.line.channel_secret, DEV_CHANNEL_SECRET),
            "LINE_CHANNEL_ACCESS_TOKEN": (self.line.channel_access_token, DEV_ACCESS_TOKEN),
            "LOG_HASH_KEY": (self.security.log_hash_key, DEV_HASH_KEY),
            "ENCRYPTION_KEY": (self.security.encryption_key, DEV_ENCRYPTION_KEY),
        }
        unset = [name for name, (value, dev) in placeholders.items() if value.get_secret_value() == dev]
        if unset:
            raise ValueError(
                "set these outside dev mode (DEV_MODE=true uses local placeholders): "
                + ", ".join(unset)
            )
        return self

    @classmethod
    def from_variables(cls, variables: Mapping[str, object], *, env_file: str | None = ENV_FILE) -> Settings:
        """As if ``variables`` (flat names: ``{"DATABASE_URL": ...}``) were set on top of the
        environment; ``env_file=None`` skips .env.  An unknown name is a ``KeyError``."""
        return cls(_env_file=env_file, **grouped(cls, variables))


@lru_cache
def get_settings() -> Settings:
    return Settings()


def read_group(group: type[G], *, env_file: str | None = ENV_FILE) -> G:
    """One group alone from the environment and .env, for a tool that needs only it
    (``python -m nlu parse``) and has no reason to hold the service's secrets."""
    environment = dict(DotEnvSettingsSource(Settings, env_file=env_file).env_vars)
    environment.update(EnvSettingsSource(Settings).env_vars)
    return group.model_validate(grouped(group, environment, strict=False))
