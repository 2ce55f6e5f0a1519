"""What an admin does to staff accounts besides creating them: disable, enable, reset.

Disabling ends the person's sessions at their next request (``active`` is checked on every
resume), and so does a reset (``password_changed_at`` is later than the session).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handoff.auth import check_password_strength, hash_password
from handoff.staff_models import StaffUser


class NoSuchAccount(LookupError):
    """No account with that id."""


async def set_active(session: AsyncSession, user_id: int, active: bool) -> StaffUser:
    user = await session.get(StaffUser, user_id)
    if user is None:
        raise NoSuchAccount(user_id)
    user.active = active
    await session.flush()
    return user


async def reset_password(session: AsyncSession, user_id: int, new: str) -> StaffUser:
    """Set a new password (WeakPassword if too weak); the person's sessions end."""
    user = await session.get(StaffUser, user_id)
    if user is None:
        raise NoSuchAccount(user_id)
    check_password_strength(new, user.email)
    user.password_hash = hash_password(new)
    user.password_changed_at = datetime.now(UTC)
    await session.flush()
    return user
