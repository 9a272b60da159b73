"""What an error says about its cause: the input (a value PostgreSQL cannot take, or a time zone nobody
knows, which no retry will change) or the database's availability (which a retry a little later may
find restored).

SQLAlchemy wraps asyncpg's exceptions in its own; the answer lies in the chain of causes."""

from __future__ import annotations

import os
import traceback
import zoneinfo

import asyncpg
import asyncpg.exceptions._base as asyncpg_base
import sqlalchemy.exc

_DATA_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.exceptions.DataError,  # SQLSTATE 22: a NUL byte in text, a number out of range, a bad date
    asyncpg_base.DataError,  # asyncpg's own check of an argument before it is sent (an int beyond int32)
    UnicodeEncodeError,  # text with a lone surrogate (JSON allows "\ud800"), which is no UTF-8
    zoneinfo.ZoneInfoNotFoundError,  # a time zone no tz database knows: the same name fails every time
)
_NETWORK: tuple[type[BaseException], ...] = (OSError, TimeoutError)  # refused, reset, unreachable, too slow
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.TimeoutError,  # no connection free in the pool in time
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.CannotConnectNowError,  # starting up, shutting down, in recovery
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.ReadOnlySQLTransactionError,  # a standby being promoted
    asyncpg_base.TargetServerAttributeNotMatched,  # no host named is the primary yet: a failover under way
)


def causes(error: BaseException) -> list[BaseException]:
    """The error, what caused it and what it wraps (SQLAlchemy's `orig`, an exception group's members)."""
    found: list[BaseException] = []
    waiting: list[BaseException] = [error]
    while waiting:
        current = waiting.pop()
        if current in found:
            continue
        found.append(current)
        more = [current.__cause__, current.__context__, getattr(current, "orig", None)]
        if isinstance(current, BaseExceptionGroup):
            more.extend(current.exceptions)
        waiting.extend(cause for cause in more if isinstance(cause, BaseException))
    return found


def is_data_error(error: BaseException) -> bool:
    """PostgreSQL (or asyncpg before it) refused a value: the same input fails the same way again."""
    return any(isinstance(cause, _DATA_ERRORS) for cause in causes(error))


def is_unavailable(error: BaseException) -> bool:
    """The database could not be reached or is not taking work: worth a retry later. A network error
    counts only when it was raised talking to the database (an HTTP call's is another matter)."""
    if isinstance(error, sqlalchemy.exc.DBAPIError) and error.connection_invalidated:
        return True
    return any(
        isinstance(cause, _UNAVAILABLE) or (isinstance(cause, _NETWORK) and _raised_by_the_driver(cause))
        for cause in causes(error)
    )


def _raised_by_the_driver(error: BaseException) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    return any(
        f"{os.sep}sqlalchemy{os.sep}" in frame.filename or f"{os.sep}asyncpg{os.sep}" in frame.filename
        for frame in frames
    )


def database_reason(error: BaseException) -> str:
    """The database's own words, first line only: SQLAlchemy's message adds the statement and its
    parameters, which may hold personal data."""
    cause = error.orig if isinstance(error, sqlalchemy.exc.DBAPIError) and error.orig is not None else error
    return (str(cause.__cause__ or cause) or type(error).__name__).splitlines()[0][:300]
