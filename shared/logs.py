"""Structured logging, configured once per process.

Every line carries `service`; lines written while a message is handled also carry its `message_id`
and `correlation_id` (bound by the consumer with structlog's contextvars). Output is JSON lines when
stderr is not a terminal (containers, CI) and readable, coloured lines on a terminal. Standard-library
loggers (uvicorn, FastStream, Alembic) are routed through the same renderer.

Logs hold no personal data: tracebacks are written without their local variables (which held whole
requests, reporters and phone numbers, at 150 KB a line), the values of fields whose names say they are
personal are replaced by `[redacted]`, the database's errors never carry their statements'
parameters (`hide_parameters` on every engine), and the HTTP client (httpx) does not log the URLs it
requests, whose queries hold the providers' secrets and people's phone numbers.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from typing import Any, Literal

import structlog
import structlog.tracebacks
from structlog.types import EventDict, Processor, WrappedLogger

LogFormat = Literal["auto", "json", "console"]
PERSONAL = ("phone", "mobile", "email", "mail", "reporter", "contact", "password", "secret", "token", "authorization")
"""A logged field whose name contains one of these has its value redacted, wherever it is nested."""
REDACTED = "[redacted]"
HTTP_CLIENT_LOGGERS = ("httpx", "httpcore")
"""Loggers that write the URLs of the requests we make, queries and all: quiet below WARNING."""


def _redacted(value: Any, depth: int = 0) -> Any:
    if depth > 6:  # deeper than any field we log; also ends a cycle
        return value
    if isinstance(value, dict):
        return {key: REDACTED if _is_personal(key) else _redacted(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item, depth + 1) for item in value]
    return value


def _is_personal(key: object) -> bool:
    return isinstance(key, str) and any(word in key.lower() for word in PERSONAL)


def redact_personal_data(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    # exc_info, stack_info and the standard library's record pass untouched: structlog reads them as they are.
    return {
        key: value if key in _UNTOUCHED else REDACTED if _is_personal(key) else _redacted(value)
        for key, value in event_dict.items()
    }


_UNTOUCHED = frozenset({"exc_info", "stack_info", "_record", "_from_structlog", "event"})


def configure_logging(service: str, *, log_format: LogFormat = "auto", level: str = "INFO") -> None:
    def add_service(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    def drop_colour_copy(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        event_dict.pop("color_message", None)  # uvicorn's copy of the message with ANSI colours
        return event_dict

    as_json = log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        add_service,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        drop_colour_copy,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_personal_data,
    ]
    without_locals = structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
    renderer: list[Processor] = (
        [structlog.processors.ExceptionRenderer(without_locals), structlog.processors.JSONRenderer()]
        if as_json
        else [structlog.dev.ConsoleRenderer(exception_formatter=_readable_traceback())]
    )

    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Per-request access lines and per-message FastStream lines are noise at INFO; keep them for DEBUG.
    logging.getLogger("uvicorn.access").setLevel(max(logging.WARNING, root.level))
    # httpx writes every request's whole URL at INFO (httpcore its traffic at DEBUG), and providers take
    # secrets and personal data in the query: WeCom's corpsecret and access_token, Aliyun's PhoneNumbers
    # and TemplateParam, a robot's key. Their warnings still come through; their requests never do.
    for name in HTTP_CLIENT_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))


def _readable_traceback() -> structlog.typing.ExceptionRenderer:
    if importlib.util.find_spec("rich") is not None:  # installed with typer
        return structlog.dev.RichTracebackFormatter(show_locals=False)
    return structlog.dev.plain_traceback


def get_logger(name: str | None = None, **initial: Any) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name, **initial)
    return logger
