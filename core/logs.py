"""Log records that say which request (and which task) they belong to, written as JSON lines.

A request id is set for each web request (``config.middleware.RequestIdMiddleware``) and
carried into every Celery task that request schedules (``config.celery``: a message header).
While it is set, every log record created in that context carries it as ``record.request_id``,
whichever logger or handler writes it (the record factory below), so one id finds the request
line, the service's warnings and the worker's lines of the notice it issued.

Standard library only: gunicorn loads ``JsonFormatter`` for its own logger before Django starts.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_task: ContextVar[tuple[str, str] | None] = ContextVar("task", default=None)

# What a proxy may hand in as X-Request-ID (nginx's $request_id, a load balancer's trace id);
# anything else is replaced, so a client cannot write arbitrary text into the logs.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(candidate: str | None) -> str:
    """The id a proxy sent when it looks like one, otherwise a new one."""
    if candidate and VALID_REQUEST_ID.match(candidate):
        return candidate
    return new_request_id()


def current_request_id() -> str | None:
    return _request_id.get()


@contextmanager
def request_id_context(request_id: str | None) -> Iterator[None]:
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


TaskTokens = tuple[Token[str | None], Token[tuple[str, str] | None]]


def bind_task(request_id: str | None, task_id: str, task_name: str) -> TaskTokens:
    """Enter a task's context (worker side); returns what ``unbind_task`` needs to leave it."""
    return (_request_id.set(request_id), _task.set((task_id, task_name)))


def unbind_task(tokens: TaskTokens) -> None:
    request_token, task_token = tokens
    _task.reset(task_token)
    _request_id.reset(request_token)


# --- every record knows its request and task ---------------------------------------------------

_installed = False


def install_record_factory() -> None:
    """Give every log record ``request_id``, ``task_id`` and ``task_name`` (None outside one).

    A record factory rather than a handler filter: records reach handlers that a filter on our
    console handler would never see (pytest's caplog, Sentry's logging integration).
    """
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = _request_id.get()
        task = _task.get()
        record.task_id, record.task_name = task if task else (None, None)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


class RequestIdFilter(logging.Filter):
    """For handlers configured before the factory is installed: fill the fields in if missing."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        if not hasattr(record, "task_id"):
            task = _task.get()
            record.task_id, record.task_name = task if task else (None, None)
        return True


# --- JSON lines ----------------------------------------------------------------------------

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
_OWN = ("request_id", "task_id", "task_name")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request and task ids,
    whatever was passed as ``extra``, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _OWN:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        for name, value in record.__dict__.items():
            if name not in _STANDARD and name not in _OWN and not name.startswith("_"):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The development console: time, level, request id (or task), logger, message."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s [%(context)s] %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        task_name = getattr(record, "task_name", None)
        parts = [p for p in (request_id and request_id[:12], task_name) if p]
        record.context = " ".join(parts) or "-"
        return super().format(record)
