"""Database tables. Import every model here so Alembic's autogenerate sees them."""

from __future__ import annotations

from handoff.db import Base

__all__ = ["Base"]
