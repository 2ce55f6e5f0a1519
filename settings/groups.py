"""The groups of settings, each field under the flat environment name deployments set.

A field's ``validation_alias`` is its variable (``DATABASE_URL`` fills ``database.url``), so
docker-compose.yml, deploy/app/config.yaml and .env files keep their names while the code
reads ``settings.database.url``.  Defaults are the embedded ones: no servers needed.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"

# Values that are fine on a developer's laptop and must never reach production.
DEV_CHANNEL_SECRET = "dev-channel-secret-not-for-production"
DEV_ACCESS_TOKEN = "dev-access-token-not-for-production"
DEV_HASH_KEY = "dev-log-hash-key-not-for-production"
DEV_ENCRYPTION_KEY = "ZGV2LWVuY3J5cHRpb24ta2V5LW5vdC1mb3ItcHJvZCE="  # 32 bytes, urlsafe b64
EMBEDDED_REDIS = "memory://"
# Redis key names without REDIS_KEY_SECRET: HMAC(LOG_HASH_KEY, this), not the log key itself.
REDIS_KEY_DERIVE_INFO = b"tsunagu/redis-key-names/v1"
DEFAULT_LINE_API = "https://api.line.me"


class Group(BaseModel):
    """Immutable; built from field names in code and tests, from variable names elsewhere."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_by_name=True, validate_by_alias=True)


class WebSettings(Group):
    host: str = Field(default="127.0.0.1", validation_alias="HOST")
    port: int = Field(default=8000, validation_alias="PORT")
    # Worker tasks started inside the web process; 0 for a web-only process when separate
    # `python -m bot worker` processes consume the stream.
    in_process_workers: int = Field(default=1, validation_alias="IN_PROCESS_WORKERS")


class LineSettings(Group):
    channel_secret: SecretStr = Field(default=SecretStr(DEV_CHANNEL_SECRET), validation_alias="LINE_CHANNEL_SECRET")
    channel_access_token: SecretStr = Field(default=SecretStr(DEV_ACCESS_TOKEN), validation_alias="LINE_CHANNEL_ACCESS_TOKEN")
    api_base_url: str = Field(default=DEFAULT_LINE_API, validation_alias="LINE_API_BASE_URL")
    # One Messaging API call may take this long (then: outcome unknown, retried).
    timeout_s: float = Field(default=10.0, validation_alias="LINE_TIMEOUT_S")
    # LINE's loading animation is started only when an answer takes longer than this (0: at
    # once for every message). Most answers come sooner, and then it would only flash and
    # cost a Messaging API call per message.
    loading_after_s: float = Field(default=0.8, validation_alias="LOADING_AFTER_S")


class WebhookSettings(Group):
    # LINE's webhook bodies are a few kilobytes; larger ones get 413 before being read whole.
    max_body_bytes: int = Field(default=1024 * 1024, validation_alias="WEBHOOK_MAX_BODY_BYTES")
    # How long an event id is remembered; also the oldest event the webhook stores (an older
    # one may have lost its dedupe mark).
    dedupe_ttl_s: int = Field(default=24 * 3600, validation_alias="DEDUPE_TTL_S")


class DatabaseSettings(Group):
    url: str = Field(default=f"sqlite+aiosqlite:///{REPO_ROOT / 'var' / 'tsunagu.db'}", validation_alias="DATABASE_URL")
    # Timeouts, so a hung database fails fast instead of wedging a worker.
    connect_timeout_s: int = Field(default=5, validation_alias="DB_CONNECT_TIMEOUT_S")
    statement_timeout_ms: int = Field(default=15_000, validation_alias="DB_STATEMENT_TIMEOUT_MS")
    pool_timeout_s: float = Field(default=5.0, validation_alias="DB_POOL_TIMEOUT_S")


class RedisSettings(Group):
    # memory://: fakeredis in this process, the same commands as production.
    url: str = Field(default=EMBEDDED_REDIS, validation_alias="REDIS_URL")
    # The append-only file is rewritten (BGREWRITEAOF) this often, and soon after an erasure
    # or a refused consent, so erased words leave the disk too (bot/aof.py).
    aof_rewrite_every_s: float = Field(default=3600.0, validation_alias="AOF_REWRITE_EVERY_S")

    @property
    def embedded(self) -> bool:
        return self.url == EMBEDDED_REDIS


class ConversationSettings(Group):
    # A conversation left this long starts again from the beginning.
    ttl_s: int = Field(default=24 * 3600, validation_alias="CONVERSATION_TTL_S")


class WorkerSettings(Group):
    concurrency: int = Field(default=8, validation_alias="WORKER_CONCURRENCY")
    # Fallback only: an entry pending this long on a consumer that still heartbeats (a
    # wedged worker) is taken over. A dead worker's entries go at once (heartbeat_s).
    reclaim_idle_ms: int = Field(default=60_000, validation_alias="RECLAIM_IDLE_MS")
    # How long one XREADGROUP waits for new entries; bounds shutdown time too.
    block_ms: int = Field(default=1_000, validation_alias="WORKER_BLOCK_MS")
    # Per-resident lock lease, renewed while an event is handled; a crashed worker's lock
    # frees itself after this long.
    lock_lease_s: float = Field(default=3.0, validation_alias="WORKER_LOCK_LEASE_S")
    # A worker's heartbeat lives this long (renewed three times as often): without it, and
    # idle as long, the worker is dead and its pending entries are claimed at once.
    heartbeat_s: float = Field(default=3.0, validation_alias="WORKER_HEARTBEAT_S")
    # Handling one event may take this long before it counts as an infrastructure failure
    # (a hung database); the event stays pending and is handled again.
    handle_timeout_s: float = Field(default=30.0, validation_alias="HANDLE_TIMEOUT_S")
    # A failure that is not the infrastructure's (a bug) is retried this many times, then
    # the event becomes a dead letter (`python -m bot dead-letters`).
    handle_attempts: int = Field(default=3, validation_alias="HANDLE_ATTEMPTS")
    # Handling a danger message that keeps failing for the infrastructure's sake: after this
    # long the emergency lines go out from the catalogue (bot/lastresort.py).
    danger_fallback_after_s: float = Field(default=10.0, validation_alias="DANGER_FALLBACK_AFTER_S")
    # How often each process with workers looks for callback reminders that fell due.
    reminder_interval_s: float = Field(default=60.0, validation_alias="REMINDER_INTERVAL_S")


class DeliverySettings(Group):
    """The outbox (bot/outbox.py, bot/delivery.py)."""

    # A reply token is used only while the event is younger than this (LINE: one minute).
    reply_token_window_s: float = Field(default=50.0, validation_alias="REPLY_TOKEN_WINDOW_S")
    # Transient LINE failures are retried this long; an answer older is a dead letter.
    useful_s: float = Field(default=6 * 3600, validation_alias="DELIVERY_USEFUL_S")
    backoff_base_s: float = Field(default=0.5, validation_alias="DELIVERY_BACKOFF_BASE_S")
    backoff_cap_s: float = Field(default=10.0, validation_alias="DELIVERY_BACKOFF_CAP_S")
    poll_s: float = Field(default=0.2, validation_alias="DELIVERY_POLL_S")
    lease_s: float = Field(default=5.0, validation_alias="DELIVERY_LEASE_S")
    # A danger answer still undelivered after this long alerts staff (urgent case): LINE is
    # failing or slow right when a person in danger wrote.
    danger_alert_after_s: float = Field(default=5.0, validation_alias="DANGER_ALERT_AFTER_S")
    # Dead letters (encrypted) are kept this long for staff to inspect and replay.
    dead_letter_ttl_s: int = Field(default=30 * 24 * 3600, validation_alias="DEAD_LETTER_TTL_S")


class NluSettings(Group):
    backend: Literal["embedded", "rasa"] = Field(default="embedded", validation_alias="NLU_BACKEND")
    rasa_url: str = Field(default="http://127.0.0.1:5005", validation_alias="RASA_URL")
    rasa_timeout_s: float = Field(default=0.5, validation_alias="RASA_TIMEOUT_S")


class StaffSettings(Group):
    """The staff inbox (bot/staff)."""

    # Secure cookie behind TLS (false only for plain-http dev and tests).
    cookie_secure: bool = Field(default=True, validation_alias="STAFF_COOKIE_SECURE")
    # A session ends after session_idle_s without activity, and session_ttl_s after sign-in
    # whatever happens: a working day, not the night.
    session_idle_s: int = Field(default=3600, validation_alias="STAFF_SESSION_IDLE_S")
    session_ttl_s: int = Field(default=11 * 3600, validation_alias="STAFF_SESSION_TTL_S")
    # Personal data of closed cases is purged after this many days.
    retention_days: int = Field(default=365, validation_alias="RETENTION_DAYS")
    # A generic webhook told of new urgent cases (JSON without personal data; empty: off),
    # and the inbox address its link points to.
    webhook_url: str = Field(default="", validation_alias="STAFF_WEBHOOK_URL")
    public_base_url: str = Field(default="", validation_alias="PUBLIC_BASE_URL")


class SecuritySettings(Group):
    log_hash_key: SecretStr = Field(default=SecretStr(DEV_HASH_KEY), validation_alias="LOG_HASH_KEY")
    encryption_key: SecretStr = Field(default=SecretStr(DEV_ENCRYPTION_KEY), validation_alias="ENCRYPTION_KEY")
    # Redis key names carry an HMAC of the resident made with this secret, never the LINE id
    # (flows/redis_keys.py). Empty: derived from LOG_HASH_KEY. Changing it orphans the
    # keys of conversations under way (they expire); cases live in the database.
    redis_key_secret: SecretStr = Field(default=SecretStr(""), validation_alias="REDIS_KEY_SECRET")

    def redis_key_name_secret(self) -> str:
        """The secret ``flows.redis_keys`` is configured with."""
        own = self.redis_key_secret.get_secret_value()
        if own:
            return own
        key = self.log_hash_key.get_secret_value().encode()
        return hmac.new(key, REDIS_KEY_DERIVE_INFO, hashlib.sha256).hexdigest()
    # Who may set X-Forwarded-For / X-Forwarded-Proto: comma-separated addresses or networks
    # of the reverse proxies in front (default none: the peer address is the client).
    forwarded_allow_ips: str = Field(default="", validation_alias="FORWARDED_ALLOW_IPS")
    # /metrics: scrapers' addresses or networks, and/or a bearer token (default: neither, so
    # /metrics answers 403 outside DEV_MODE until one is set).
    metrics_allow_ips: str = Field(default="", validation_alias="METRICS_ALLOW_IPS")
    metrics_token: SecretStr = Field(default=SecretStr(""), validation_alias="METRICS_TOKEN")
