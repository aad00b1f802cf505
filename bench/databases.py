"""A database of a benchmark's own, created beside ``DATABASE_URL``'s and dropped after."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit


@contextmanager
def bench_database(*, suffix: str, sqlite_fallback: bool = True) -> Iterator[str]:
    """The URL of a fresh PostgreSQL database named ``<DATABASE_URL's name><suffix>``, or,
    without a PostgreSQL ``DATABASE_URL`` and with ``sqlite_fallback``, a temporary SQLite
    file. Dropped (or deleted) when the block ends."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        if not sqlite_fallback:
            raise SystemExit("Set DATABASE_URL to a PostgreSQL server for this benchmark.")
        folder = tempfile.mkdtemp(prefix=f"bench{suffix}-")
        try:
            yield f"sqlite:///{folder}/bench.sqlite3"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'postgres'}{suffix}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
