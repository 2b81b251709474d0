"""PostgreSQL and Redis for several Rasa replicas, and the store settings every Rasa process reads.

One Rasa process keeps its conversations in a SQLite file and its locks in memory: nothing to
install. Several replicas must share both (docs/design.md, "Storage and scale"): the tracker store
in PostgreSQL, so that a conversation continues on another replica when its own is down, and
the lock store in Redis. `RASA_REPLICAS=2 make run` starts the two servers itself, from Debian's
``postgresql`` and ``redis-server`` (scripts/ensure-system-packages installs them), as
processes of the same :class:`scripts.stack.Stack`, so they are supervised like the rest:

- PostgreSQL keeps its data in ``var/postgres/`` (conversations survive a restart, as the
  SQLite file does), listens on a free loopback port, and takes a password generated once into
  ``var/postgres/password`` (the tracker store holds clients' words: other users of the machine
  must not read it). Run as root, it runs as the ``postgres`` user, which PostgreSQL requires.
- Redis holds only locks, so it keeps nothing on disk; its password is in its config file.

The tests and benchmarks start the same servers in temporary folders (:func:`postgres_spec`,
:func:`redis_spec`). A deployment on several machines starts neither: it names its own servers
(``RASA_TRACKER_URL``, ``RASA_LOCK_HOST``; see docs/operating.md, "Beyond one machine").

:func:`shared_store_settings` are the variables endpoints.yml reads for the two servers
(:func:`scripts.stack.store_settings` gives those of one process).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from scripts.stack import ServiceSpec, Stack, free_port

DATABASE = "rasa"
USER = "rasa"


class DatastoreUnavailable(RuntimeError):
    """PostgreSQL or Redis cannot be started here; the message says why and what to install."""


def shared_store_settings(
    tracker_url: str, lock_host: str, lock_port: int, lock_password: str
) -> dict[str, str]:
    """The settings of replicas that share a PostgreSQL tracker store and a Redis lock store."""
    return {
        "RASA_TRACKER_DIALECT": "postgresql",
        "RASA_TRACKER_URL": tracker_url,
        "RASA_LOCK_STORE": "redis",
        "RASA_LOCK_HOST": lock_host,
        "RASA_LOCK_PORT": str(lock_port),
        "RASA_LOCK_PASSWORD": lock_password,
    }


def start_shared(
    stack: Stack, folder: Path, say: Callable[[str], None] = lambda line: None
) -> dict[str, str]:
    """Start PostgreSQL (cluster in ``folder/postgres``) and Redis (``folder/redis``) on free
    loopback ports as processes of ``stack``, wait until both answer, create the tracker
    store's database; the store settings of replicas that share them."""
    postgres, tracker_url = postgres_spec(folder / "postgres", free_port())
    redis, password = redis_spec(folder / "redis", free_port())
    stack.start(postgres)
    stack.start(redis)
    for name in (postgres.name, redis.name):
        say(f"{name} started (pid {stack.pid(name)}).")
    stack.wait_ready([postgres.name, redis.name], timeout=120)
    ensure_database(tracker_url)
    port = int(urlsplit(redis.health_url).port or 0)
    return shared_store_settings(tracker_url, "127.0.0.1", port, password)


def _password(path: Path) -> str:
    """The password kept in ``path`` (0600), generated the first time."""
    if not path.exists():
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


# --- finding the programs --------------------------------------------------------------------


def postgres_tool(name: str) -> str | None:
    """A PostgreSQL server program: on PATH, else Debian's newest /usr/lib/postgresql/N/bin."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return str(versions[-1]) if versions else None


def missing_packages() -> list[str]:
    """The Debian packages of the servers that are not installed (``postgresql``, ``redis-server``)."""
    missing = []
    if postgres_tool("initdb") is None or postgres_tool("postgres") is None:
        missing.append("postgresql")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    return missing


def _as_postgres_user() -> list[str]:
    """The prefix that runs a command as the ``postgres`` user when we are root (PostgreSQL
    refuses to run as root); nothing otherwise."""
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser") is None:
        raise DatastoreUnavailable(
            "running as root without runuser to start PostgreSQL as another user"
        )
    return ["runuser", "-u", "postgres", "--"]


def _chown_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, user="postgres", group="postgres")


# --- PostgreSQL ------------------------------------------------------------------------------


def init_postgres(folder: Path) -> str:
    """Create a PostgreSQL cluster in ``folder/data`` unless there is one; its password.

    The password of the ``rasa`` superuser is generated once into ``folder/password`` (0600)
    and given to initdb in a file only the server's user reads, never on a command line.
    """
    initdb = postgres_tool("initdb")
    if initdb is None:
        raise DatastoreUnavailable("PostgreSQL is not installed (initdb not found)")
    as_user = _as_postgres_user()
    folder.mkdir(parents=True, exist_ok=True)
    password = _password(folder / "password")
    data = folder / "data"
    if (data / "PG_VERSION").exists():
        return password
    folder.chmod(0o755)
    for_initdb = folder / "initdb-password"
    for_initdb.write_text(password)
    for_initdb.chmod(0o600)
    _chown_to_postgres(folder)
    _chown_to_postgres(for_initdb)
    try:
        subprocess.run(
            [*as_user, initdb, "-D", str(data), "-U", USER, "--pwfile", str(for_initdb),
             "-A", "scram-sha-256", "-E", "UTF8", "--no-sync"],
            check=True,
            capture_output=True,
            text=True,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        raise DatastoreUnavailable(f"initdb failed: {exc.stderr.strip()[-500:]}") from None
    finally:
        for_initdb.unlink(missing_ok=True)
    return password


def postgres_spec(folder: Path, port: int, name: str = "postgres") -> tuple[ServiceSpec, str]:
    """PostgreSQL on 127.0.0.1:``port`` with the cluster in ``folder`` (made if need be); the
    spec to start it and the URL of the tracker store's database on it."""
    password = init_postgres(folder)
    data = folder / "data"
    command = [
        *_as_postgres_user(),
        str(postgres_tool("postgres")),
        "-D", str(data), "-p", str(port), "-k", str(data),
        "-c", "listen_addresses=127.0.0.1",
        # Rasa opens a pool of connections per replica, the gateway its own.
        "-c", "max_connections=200",
        # A commit does not wait for its log to reach the disk (Rasa waits on it in its event
        # loop): a crash of the machine may lose the last few hundred milliseconds of turns,
        # never consistency, as with the SQLite store's synchronous=NORMAL (rasa_addons/tracker_store.py).
        "-c", "synchronous_commit=off",
    ]  # fmt: skip
    server = f"postgresql://{USER}:{password}@127.0.0.1:{port}/postgres"
    spec = ServiceSpec(
        name=name,
        command=command,
        health_url=server,
        stop_signal=signal.SIGINT,  # PostgreSQL's fast shutdown (SIGTERM waits for every client)
    )
    return spec, server.rsplit("/", 1)[0] + f"/{DATABASE}"


def postgres_answers(url: str, timeout: float = 2.0) -> bool:
    """Whether PostgreSQL at ``url`` takes a connection (not only the TCP port: it refuses
    connections while it starts up)."""
    import psycopg2

    try:
        psycopg2.connect(url, connect_timeout=max(1, int(timeout))).close()
        return True
    except psycopg2.OperationalError:
        return False


def ensure_database(url: str) -> None:
    """Create the database ``url`` names on its server unless it exists."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(parts._replace(path="/postgres").geturl())
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


# --- Redis -----------------------------------------------------------------------------------


def redis_spec(folder: Path, port: int, name: str = "redis") -> tuple[ServiceSpec, str]:
    """Redis on 127.0.0.1:``port``, keeping nothing on disk; the spec and its password.

    Its password is in its config file (0600), not on its command line, which ``ps`` shows.
    """
    server = shutil.which("redis-server")
    if server is None:
        raise DatastoreUnavailable("Redis is not installed (redis-server not found)")
    folder.mkdir(parents=True, exist_ok=True)
    password = _password(folder / "password")
    config = folder / "redis.conf"
    config.write_text(
        f"port {port}\nbind 127.0.0.1\nprotected-mode yes\nrequirepass {password}\n"
        f'save ""\nappendonly no\ndir {folder}\ndaemonize no\nloglevel warning\n'
    )
    config.chmod(0o600)
    spec = ServiceSpec(
        name=name,
        command=[server, str(config)],
        health_url=f"redis://:{password}@127.0.0.1:{port}/0",
    )
    return spec, password


def redis_answers(url: str, timeout: float = 2.0) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False
