"""A real PostgreSQL server for tests and benchmarks, in a temporary folder, on a free loopback port.

:class:`PostgresUnavailable` says why none can be started here (not installed, root without
``runuser``); the test fixtures (tests/gateway_fixtures.py) skip on it, or fail in CI.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg2

from scripts.datastores import postgres_tool
from scripts.stack import free_port


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server can be started on this machine; the message says why."""


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Start PostgreSQL (PostgresUnavailable if it cannot be); yield its URL; stop it."""
    initdb = postgres_tool("initdb")
    postgres = postgres_tool("postgres")
    if initdb is None or postgres is None:
        raise PostgresUnavailable("PostgreSQL is not installed (initdb not found)")
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if shutil.which("runuser") is None:
            raise PostgresUnavailable(
                "running as root without runuser to start PostgreSQL as another user"
            )
        as_user = ["runuser", "-u", "postgres", "--"]
    # Not under pytest's tmp_path: its parents are private to root, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="gateway-pg-"))
    folder.chmod(0o777)
    data = folder / "data"
    server = None
    try:
        subprocess.run(
            [
                *as_user,
                initdb,
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "gw",
                "--no-sync",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        port = free_port()
        server = subprocess.Popen(
            [*as_user, postgres, "-D", str(data), "-p", str(port), "-k", str(data),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url = f"postgresql://gw@127.0.0.1:{port}/postgres"
        for _ in range(100):
            try:
                psycopg2.connect(url).close()
                break
            except psycopg2.OperationalError:
                time.sleep(0.1)
        else:
            raise RuntimeError("PostgreSQL did not start within 10 s")
        yield url
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


_databases = iter(range(1, 1_000_000))


def new_database(server_url: str) -> str:
    """A new, empty database on the server; its URL."""
    name = f"gw_{next(_databases)}"
    connection = psycopg2.connect(server_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    connection.close()
    return server_url.rsplit("/", 1)[0] + f"/{name}"
