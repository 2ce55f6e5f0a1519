"""Structured JSON logs. Lines carry event names and pseudonyms, never message text."""

from __future__ import annotations

import logging
import sys

import structlog
from structlog.typing import FilteringBoundLogger


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=level.upper())
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=False,  # tests and apps may reconfigure the level
    )


def get_logger(name: str) -> FilteringBoundLogger:
    """What ``configure_logging`` makes (``make_filtering_bound_logger``), bound lazily."""
    logger: FilteringBoundLogger = structlog.get_logger(name)
    return logger
