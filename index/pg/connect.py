"""Database URLs: where they come from, how they are shown, how a connection is opened.

The URL comes from ``--database`` or ``$SLIDEBANK_DATABASE_URL``; a password may sit in the URL or
in the environment libpq reads (``PGPASSWORD``, ``~/.pgpass``). A URL is only ever shown through
``redact``, without its password. Every statement binds its values as parameters.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from index.errors import InputError, SlidebankError

ENV_DATABASE = "SLIDEBANK_DATABASE_URL"
SCHEMES = ("postgresql", "postgres")


class DatabaseError(SlidebankError):
    """The database cannot be reached or refused a statement; the message is one line, without the password."""


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***`` (and nothing else changed)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable database URL>"
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


def check_url(url: str) -> str:
    """The URL if it is a postgresql:// URL, else an InputError saying so (without echoing a password)."""
    try:
        scheme = urlsplit(url).scheme
    except ValueError:
        scheme = ""
    if scheme not in SCHEMES:
        raise InputError(f"--database takes a postgresql:// URL, not {redact(url)!r}")
    return url


def connect(url: str, *, autocommit: bool = True) -> Any:
    """A psycopg connection with pgvector's types registered. DatabaseError, one line, when it fails."""
    check_url(url)
    try:
        import psycopg
        from pgvector.psycopg import register_vector
    except ImportError:
        raise InputError("--database needs the postgres extra: pip install 'slidebank[postgres]'") from None
    try:
        # Custom plans: a per-generation partial index is only used when the planner sees the generation.
        conn = psycopg.connect(url, autocommit=autocommit, options="-c plan_cache_mode=force_custom_plan")
    except psycopg.Error as exc:
        raise DatabaseError(f"cannot connect to the database at {redact(url)} ({_reason(exc, url)})") from None
    try:
        register_vector(conn)
    except psycopg.Error as exc:
        conn.close()
        raise DatabaseError(
            f"the database at {redact(url)} has no pgvector (CREATE EXTENSION vector; {_reason(exc, url)})"
        ) from None
    return conn


def _reason(exc: BaseException, url: str) -> str:
    """The driver's message, first line only, with the password (if it echoes it) removed."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    password = urlsplit(url).password
    return text.replace(password, "***") if password else text


class Pool:
    """One connection per thread (the app serves requests on several), opened on first use."""

    def __init__(self, url: str) -> None:
        self.url = check_url(url)
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = connect(self.url)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()


_POOLS: dict[str, Pool] = {}
_POOLS_LOCK = threading.Lock()


def shared_pool(url: str) -> Pool:
    """The process's one pool for ``url``: the loaded generation, the follow check and the students'
    sessions of an app use the same connection per thread, and a reopened generation opens no more."""
    with _POOLS_LOCK:
        pool = _POOLS.get(url)
        if pool is None:
            pool = _POOLS[url] = Pool(url)
        return pool
