"""Settings, read once from the environment (and an optional .env file).

Every knob the deployment turns lives here so that the rest of the code never reads
``os.environ``.  Embedded defaults need no servers: SQLite, in-process state and NLU.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"

# Values that are fine on a developer's laptop and must never reach production.
DEV_CHANNEL_SECRET = "dev-channel-secret-not-for-production"
DEV_ACCESS_TOKEN = "dev-access-token-not-for-production"
DEV_HASH_KEY = "dev-log-hash-key-not-for-production"
DEV_ENCRYPTION_KEY = "ZGV2LWVuY3J5cHRpb24ta2V5LW5vdC1mb3ItcHJvZCE="  # 32 bytes, urlsafe b64
EMBEDDED_REDIS = "memory://"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    line_channel_secret: SecretStr = SecretStr(DEV_CHANNEL_SECRET)
    line_channel_access_token: SecretStr = SecretStr(DEV_ACCESS_TOKEN)
    line_api_base_url: str = "https://api.line.me"
    database_url: str = f"sqlite+aiosqlite:///{REPO_ROOT / 'var' / 'tsunagu.db'}"
    redis_url: str = EMBEDDED_REDIS
    host: str = "127.0.0.1"
    port: int = 8000

    dev_mode: bool = False
    # Worker tasks started inside the web process; 0 for a web-only process when
    # separate `python -m bot worker` processes consume the stream.
    in_process_workers: int = 1
    worker_concurrency: int = 8
    # Fallback only: an entry pending this long on a consumer that still heartbeats (a
    # wedged worker) is taken over. A dead worker's entries go at once (worker_heartbeat_s).
    reclaim_idle_ms: int = 60_000
    # How long one XREADGROUP waits for new entries; bounds shutdown time too.
    worker_block_ms: int = 1_000
    # Per-resident lock lease, renewed while an event is handled; a crashed worker's
    # lock frees itself after this long.
    worker_lock_lease_s: float = 3.0
    # A worker's heartbeat lives this long (renewed three times as often): without it, and
    # idle as long, the worker is dead and its pending entries are claimed at once.
    worker_heartbeat_s: float = 3.0
    # Handling one event may take this long before it counts as an infrastructure failure
    # (a hung database); the event stays pending and is handled again.
    handle_timeout_s: float = 30.0
    # A failure that is not the infrastructure's (a bug) is retried this many times,
    # then the event becomes a dead letter (`python -m bot dead-letters`).
    handle_attempts: int = 3
    # Handling a danger message that keeps failing for the infrastructure's sake: after
    # this long the emergency lines go out from the catalogue (bot/lastresort.py).
    danger_fallback_after_s: float = 10.0

    # Delivery from the outbox (bot/outbox.py, bot/delivery.py).
    # A reply token is used only while the event is younger than this (LINE: one minute).
    reply_token_window_s: float = 50.0
    # Transient LINE failures are retried this long; an answer older is a dead letter.
    delivery_useful_s: float = 6 * 3600
    delivery_backoff_base_s: float = 0.5
    delivery_backoff_cap_s: float = 10.0
    delivery_poll_s: float = 0.2
    delivery_lease_s: float = 5.0
    # One Messaging API call may take this long (then: outcome unknown, retried).
    line_timeout_s: float = 10.0
    # A danger answer still undelivered after this long alerts staff (urgent case): LINE is
    # failing or slow right when a person in danger wrote.
    danger_alert_after_s: float = 5.0
    # Dead letters (encrypted) are kept this long for staff to inspect and replay.
    dead_letter_ttl_s: int = 30 * 24 * 3600

    # Database timeouts, so a hung database fails fast instead of wedging a worker.
    db_connect_timeout_s: int = 5
    db_statement_timeout_ms: int = 15_000
    db_pool_timeout_s: float = 5.0
    # Also the oldest event the webhook stores: an older one may have lost its dedupe mark.
    dedupe_ttl_s: int = 24 * 3600
    # LINE's webhook bodies are a few kilobytes; larger ones get 413 before being read whole.
    webhook_max_body_bytes: int = 1024 * 1024
    # LINE's loading animation is started only when an answer takes longer than this
    # (0: at once for every message). Most answers come sooner, and then it would only
    # flash and cost a Messaging API call per message.
    loading_after_s: float = 0.8
    # How often each worker process (and a web process with in-process workers) looks for
    # callback reminders that fell due (bot/reminders.py).
    reminder_interval_s: float = 60.0

    log_level: str = "INFO"
    log_hash_key: SecretStr = SecretStr(DEV_HASH_KEY)
    encryption_key: SecretStr = SecretStr(DEV_ENCRYPTION_KEY)

    nlu_backend: Literal["embedded", "rasa"] = "embedded"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_s: float = 0.5

    ward: str = "edogawa"
    conversation_ttl_s: int = 24 * 3600

    # Staff inbox (bot/staff): Secure cookie behind TLS (false only for plain-http dev/tests),
    # sessions (ended after staff_session_idle_s without activity, and staff_session_ttl_s
    # after sign-in whatever happens: a working day, not the night), retention of closed
    # cases' personal data, and a generic webhook told of new urgent cases (JSON without
    # personal data; empty = off).
    staff_cookie_secure: bool = True
    staff_session_idle_s: int = 3600
    staff_session_ttl_s: int = 11 * 3600
    retention_days: int = 365
    staff_webhook_url: str = ""
    public_base_url: str = ""

    # Who may set X-Forwarded-For / X-Forwarded-Proto: comma-separated addresses or networks
    # of the reverse proxies in front (default none: the peer address is the client).
    forwarded_allow_ips: str = ""
    # /metrics: scrapers' addresses or networks, and/or a bearer token (default: neither, so
    # /metrics answers 403 outside DEV_MODE until one is set).
    metrics_allow_ips: str = ""
    metrics_token: SecretStr = SecretStr("")

    @property
    def embedded_redis(self) -> bool:
        return self.redis_url == EMBEDDED_REDIS

    @model_validator(mode="after")
    def _refuse_dev_secrets_in_production(self) -> Settings:
        if self.dev_mode:
            return self
        placeholders = {
            "LINE_CHANNEL_SECRET": (self.line_channel_secret, DEV_CHANNEL_SECRET),
            "LINE_CHANNEL_ACCESS_TOKEN": (self.line_channel_access_token, DEV_ACCESS_TOKEN),
            "LOG_HASH_KEY": (self.log_hash_key, DEV_HASH_KEY),
            "ENCRYPTION_KEY": (self.encryption_key, DEV_ENCRYPTION_KEY),
        }
        unset = [name for name, (value, dev) in placeholders.items() if value.get_secret_value() == dev]
        if unset:
            raise ValueError(
                "set these outside dev mode (DEV_MODE=true uses local placeholders): "
                + ", ".join(unset)
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
