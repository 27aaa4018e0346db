"""Logs for people (not learning events): structlog to stderr, JSON lines unless on a terminal.

The level comes from ``WAYPOST_LOG_LEVEL`` (default ``info``). Learning events never pass through
here, so no log setting can starve the learner.
"""

from __future__ import annotations

import logging
import os
import sys

import structlog

__all__ = ["configure", "get_logger"]


def configure(
    *,
    json: bool | None = None,
    level: str | None = None,
    message_key: str = "event",
    stdlib: bool = False,
) -> None:
    """``message_key="msg"`` writes the message where Runme's kernel (zap) puts it; ``stdlib``
    sends what libraries log with ``logging`` (and ``warnings``) through the same renderer, so
    nothing else reaches stderr in another format."""
    name = (level or os.environ.get("WAYPOST_LOG_LEVEL") or "info").upper()
    numeric = getattr(logging, name, logging.INFO)
    as_json = (not sys.stderr.isatty()) if json is None else json
    renderer = structlog.processors.JSONRenderer() if as_json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.EventRenamer(message_key),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    if stdlib:
        root = logging.getLogger()
        root.handlers = [_Forward()]
        root.setLevel(numeric)
        logging.captureWarnings(True)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)


class _Forward(logging.Handler):
    """A ``logging`` record, rendered by structlog."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            extra = {"exc_info": record.exc_info} if record.exc_info else {}
            structlog.get_logger(record.name).log(record.levelno, record.getMessage(), **extra)
        except Exception:
            self.handleError(record)
