"""The names of every Redis key that concerns one resident: a keyed hash, never the LINE id.

A key name is visible to anyone who can run ``SCAN`` or read the append-only file, and it
outlives the conversation (sequence counters last 30 days). So keys are named by ``tag``:
an HMAC-SHA256 of the conversation key (``user:U…``, ``group:C…``) with ``REDIS_KEY_SECRET``
(or, when that is unset, a key derived from ``LOG_HASH_KEY``), never by the id itself.

``tag`` is idempotent: a tag given back returns itself (conversation keys always start with
``user:``, ``group:``, ``room:`` or are ``anonymous``, never with ``TAG_PREFIX``), so code that
holds a tag (the outbox's due set) and code that holds a conversation key name the same key.

Whoever starts the process installs the secret once (``configure``): the composition root
(bot/services.py), the tests. Changing the secret orphans the keys of conversations under
way (they expire); it does not lose cases, which live in the database.
"""

from __future__ import annotations

import hashlib
import hmac

from settings.groups import DEV_HASH_KEY, REDIS_KEY_DERIVE_INFO

PREFIX = "tsunagu:"
TAG_PREFIX = "h:"
_TAG_HEX = 32  # 128 bits: collisions between residents are out of reach

CONVERSATION = PREFIX + "conv:"
SEEN = PREFIX + "conv-seen:"
SEQ = PREFIX + "seq:"
DONE = PREFIX + "done:"
LOCK = PREFIX + "lock:"
GROUP_NOTE = PREFIX + "group-note:"
OUTBOX_QUEUE = PREFIX + "ob:q:"
OUTBOX_LEASE = PREFIX + "ob:lease:"
LANGUAGE = PREFIX + "lang:"


# Until ``configure``: what the development settings give (SecuritySettings.redis_key_name_secret).
_secret: bytes = hmac.new(DEV_HASH_KEY.encode(), REDIS_KEY_DERIVE_INFO, hashlib.sha256).hexdigest().encode()


# Tags already computed under the installed secret: one event names the resident's keys
# about ten times (lease, done, state, outbox queue and lease …), and an HMAC each time was
# a measurable share of a worker's CPU (bench/profile_handling.py). Bounded: emptied when full.
_tags: dict[str, str] = {}
_TAGS_KEPT = 65_536


def configure(secret: str) -> None:
    """Install the secret for this process (start-up)."""
    global _secret
    if not secret:
        raise ValueError("the Redis key secret must not be empty")
    _secret = secret.encode()
    _tags.clear()


def tag(resident: str) -> str:
    """The keyed hash that stands for a resident (or a group, a room) in key names."""
    if resident.startswith(TAG_PREFIX):
        return resident
    found = _tags.get(resident)
    if found is None:
        if len(_tags) >= _TAGS_KEPT:
            _tags.clear()
        found = _tags[resident] = TAG_PREFIX + hmac.new(_secret, resident.encode(), hashlib.sha256).hexdigest()[:_TAG_HEX]
    return found


def keyed(value: str) -> str:
    """A keyed hash of any personal value that names a key (a staff e-mail, an address):
    a plain SHA-256 of an e-mail is reversed by hashing a list of likely addresses."""
    return hmac.new(_secret, b"value:" + value.encode(), hashlib.sha256).hexdigest()


def conversation(resident: str) -> str:
    """The conversation state (flows.state)."""
    return CONVERSATION + tag(resident)


def seen(resident: str) -> str:
    """When the conversation was last active (flows.state): a time, nothing personal."""
    return SEEN + tag(resident)


def seq(resident: str) -> str:
    """The resident's last sequence number given by the intake (bot.intake)."""
    return SEQ + tag(resident)


def done(resident: str) -> str:
    """The resident's last sequence number handled (bot.worker)."""
    return DONE + tag(resident)


def lock(resident: str) -> str:
    """The worker's lease on the resident while one of their events is handled."""
    return LOCK + tag(resident)


def group_note(resident: str) -> str:
    """"One-to-one only" was said in this group or room today (bot.events.group)."""
    return GROUP_NOTE + tag(resident)


def outbox_queue(resident: str) -> str:
    """The resident's undelivered messages, oldest first (bot.outbox)."""
    return OUTBOX_QUEUE + tag(resident)


def outbox_lease(resident: str) -> str:
    """The one deliverer working on the resident's queue (bot.delivery)."""
    return OUTBOX_LEASE + tag(resident)


def language(resident: str) -> str:
    """The language the resident picked (flows.state.LANGUAGE_TTL_S): a code such as ``en``."""
    return LANGUAGE + tag(resident)
