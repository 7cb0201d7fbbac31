"""A real PostgreSQL 16 server with pgvector for the tests, from the ``pgserver`` wheel's binaries.

It listens on 127.0.0.1 over TCP with password authentication, as a deployment's would. PostgreSQL
refuses to run as root and CI runs as root: then the server runs as an unprivileged system user
(created with ``useradd`` when missing), through ``runuser``.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.net import free_port

SERVER_USER = "slidebank-pg"


def pg_bin() -> Path:
    import pgserver

    return Path(pgserver.__file__).resolve().parent / "pginstall" / "bin"


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", SERVER_USER, "--", *command]


def _ensure_user() -> None:
    if os.geteuid() != 0:
        return
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER],
            check=True,
            capture_output=True,
        )


def _reachable_bin(root: Path) -> Path:
    """The server binaries, where the server user can run them.

    As root the server runs as SERVER_USER, who may not reach a virtual environment inside a private
    folder (``mktemp -d`` makes it 0700, as .ci/run does): then the package's install is copied beside
    the data folder, which that user owns."""
    binaries = pg_bin()
    if os.geteuid() != 0:
        return binaries
    probe = subprocess.run(_as_server_user(["test", "-x", str(binaries / "initdb")]), capture_output=True)
    if probe.returncode == 0:
        return binaries
    # The binaries find their libraries at $ORIGIN/../../../pgserver.libs: keep the wheel's layout.
    site = root / "site"
    installed = binaries.parent  # .../site-packages/pgserver/pginstall
    shutil.copytree(installed, site / "pgserver" / "pginstall", symlinks=True)
    libs = installed.parent.parent / "pgserver.libs"
    if libs.is_dir():
        shutil.copytree(libs, site / "pgserver.libs", symlinks=True)
    for path in (site, *site.rglob("*")):
        if not path.is_symlink():
            shutil.chown(path, SERVER_USER)
    return site / "pgserver" / "pginstall" / "bin"


@dataclass
class PostgresServer:
    """One running server; ``url(db)`` names a database on it (with the password), ``stop()`` ends it."""

    root: Path
    port: int
    password: str
    binaries: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A fresh database with the vector extension; returns its URL."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        url = self.url(name)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        return url

    def stop(self) -> None:
        subprocess.run(
            _as_server_user([str(self.binaries / "pg_ctl"), "-D", str(self.data), "stop", "-m", "fast"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_server(timeout: float = 60.0, durable: bool = False) -> PostgresServer:
    """initdb + pg_ctl start on a free loopback port; raises RuntimeError with the log's tail if it cannot start.

    ``durable``: fsync on and a bigger cache, as a deployment runs it (for benchmarks); tests run without fsync."""
    _ensure_user()
    root = Path(tempfile.mkdtemp(prefix="slidebank-pg-"))
    os.chmod(root, 0o755)  # the server user must reach its data folder
    password = secrets.token_hex(12)
    pwfile = root / "pw"
    pwfile.write_text(password + "\n")
    if os.geteuid() == 0:
        shutil.chown(root, SERVER_USER)
        shutil.chown(pwfile, SERVER_USER)
    binaries = _reachable_bin(root)
    init = subprocess.run(
        _as_server_user(
            [
                str(binaries / "initdb"),
                "-D",
                str(root / "data"),
                "-U",
                "postgres",
                "--auth=scram-sha-256",
                f"--pwfile={pwfile}",
                "--encoding=UTF8",
                "--no-sync",
            ]
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    pwfile.unlink()
    if init.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {init.stderr.strip()[-400:]}")
    port = free_port()
    # Small settings: the test machine is small and shared; fsync off only here, never in a deployment.
    settings = (
        "-c shared_buffers=512MB -c max_connections=100"
        if durable
        else "-c fsync=off -c shared_buffers=64MB -c max_connections=60"
    )
    options = f"-h 127.0.0.1 -p {port} -k {root / 'data'} {settings}"
    log = root / "server.log"
    start = subprocess.run(
        _as_server_user([str(binaries / "pg_ctl"), "-D", str(root / "data"), "-o", options, "-l", str(log), "start"]),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    server = PostgresServer(root, port, password, binaries)
    deadline = time.monotonic() + timeout
    while True:
        ready = subprocess.run(
            [str(binaries / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True, timeout=10
        )
        if ready.returncode == 0:
            return server
        if start.returncode != 0 or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-400:] if log.is_file() else start.stderr[-400:]
            server.stop()
            raise RuntimeError(f"PostgreSQL did not start: {tail.strip()}")
        time.sleep(0.2)
