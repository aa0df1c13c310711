"""pytest plugin: a real, throwaway PostgreSQL server for the gradebook tests.

``postgres_server`` (session scope) runs Debian's PostgreSQL binaries: ``initdb`` into a private
temporary folder, ``pg_ctl start`` listening on 127.0.0.1 at a free port (and on a Unix socket in
that folder), and a login role with a password. ``postgres_server.new_database(name)`` creates a
database owned by that role and returns its SQLAlchemy URL,
``postgresql://user:password@127.0.0.1:PORT/name``, the form ``COURSE_DB_URL`` takes.

``initdb`` refuses to run as root, so as root every server command runs as the ``postgres`` OS
user (created by Debian's package) in a folder it owns; as anyone else, as the user running the tests.
At the end of the session the server is stopped (``pg_ctl stop -m fast``) and the folder removed.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL_HINT = "install with: sudo apt-get install -y postgresql"
DRIVER_HINT = "install with: pip install -e '.[test]' (or pip install 'psycopg[binary]')"
OS_USER = "postgres"  # Debian's package creates it; initdb will not run as root
ROLE = "oud_grader"  # the login role the course's COURSE_DB_URL names
START_TIMEOUT = 120  # seconds pg_ctl waits for the server (a busy CI machine is slow)


def postgres_bindir() -> Path | None:
    """The newest Debian PostgreSQL bin folder (/usr/lib/postgresql/<version>/bin), or initdb's on PATH."""
    found = [Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")]
    found.sort(key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)] or [0])
    if found:
        return found[-1]
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def postgres_driver_missing() -> str:
    """The driver module SQLAlchemy needs for postgresql:// URLs if it is missing, else "".

    SQLAlchemy 2.1 and later use psycopg (version 3) for them; earlier versions use psycopg2.
    """
    from sqlalchemy.engine import make_url

    try:
        make_url("postgresql://").get_dialect().import_dbapi()
    except ImportError as error:
        return error.name or str(error)
    return ""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class PostgresServer:
    """A running PostgreSQL server; ``new_database`` hands out fresh databases on it."""

    bindir: Path
    folder: Path  # holds data/, the Unix socket and server.log; owned by the server's OS user
    port: int
    as_root: bool
    user: str = ROLE
    password: str = ""
    host: str = "127.0.0.1"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def run(self, *args: str, check: bool = True, timeout: float = START_TIMEOUT) -> subprocess.CompletedProcess:
        """Run a PostgreSQL program from ``bindir``, as the ``postgres`` OS user when we are root."""
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            if shutil.which("runuser"):
                cmd = ["runuser", "-u", OS_USER, "--", *cmd]
            else:
                cmd = ["su", OS_USER, "-s", "/bin/sh", "-c", shlex.join(cmd)]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C")
        done = subprocess.run(cmd, cwd=self.folder, env=env, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, check=False)
        if check and done.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{log}")
        return done

    def sql(self, statement: str) -> str:
        """Run one SQL statement as the superuser, over the Unix socket in the server's folder."""
        done = self.run("psql", "-h", str(self.folder), "-p", str(self.port), "-U", OS_USER, "-d", "postgres",
                        "-v", "ON_ERROR_STOP=1", "-X", "-q", "-A", "-t", "-c", statement)
        return done.stdout.strip()

    def start(self) -> None:
        """initdb (passwords required over TCP, trust on the private socket), then start and wait."""
        pwfile = self.folder / "superuser.pw"
        pwfile.write_text(secrets.token_hex(16) + "\n")
        if self.as_root:
            shutil.chown(pwfile, OS_USER)
        self.run("initdb", "-D", str(self.data), "-U", OS_USER, f"--pwfile={pwfile}", "-E", "UTF8", "--no-locale",
                 "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync")
        # A throwaway server: fsync off makes it quicker and costs nothing if it crashes.
        options = f"-c listen_addresses={self.host} -p {self.port} -k {self.folder} -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t", str(START_TIMEOUT),
                 "start")
        self.password = secrets.token_hex(16)
        self.sql(f"CREATE ROLE {self.user} LOGIN CREATEDB PASSWORD '{self.password}'")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def url(self, name: str) -> str:
        """The SQLAlchemy URL of database ``name``, with the role's credentials."""
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{name}"

    def new_database(self, name: str) -> str:
        """Create database ``name`` (dropping any earlier one of that name) and return its URL."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"database name {name!r}: use lower-case letters, digits and _")
        self.sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.sql(f"CREATE DATABASE {name} OWNER {self.user} ENCODING 'UTF8'")
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server on 127.0.0.1 for this test session; see the module docstring."""
    from course_tools import missing

    bindir = postgres_bindir()
    if bindir is None or not (bindir / "pg_ctl").exists():
        missing(f"PostgreSQL server binaries (initdb, pg_ctl) were not found; {INSTALL_HINT}")
    driver = postgres_driver_missing()
    if driver:
        missing(f"the PostgreSQL driver {driver} is not installed; {DRIVER_HINT}")
    as_root = os.geteuid() == 0
    if as_root:
        try:
            pwd.getpwnam(OS_USER)
        except KeyError:
            missing(f"running as root, but there is no '{OS_USER}' OS user to run initdb as; {INSTALL_HINT}")
    # Not pytest's tmp_path: its folders are private to us, and the server's OS user must reach this one.
    folder = Path(tempfile.mkdtemp(prefix="oud-pg-", dir="/tmp"))
    if as_root:
        shutil.chown(folder, OS_USER, OS_USER)
    server = PostgresServer(bindir=bindir, folder=folder, port=free_port(), as_root=as_root)
    try:
        try:
            server.start()
        except RuntimeError:
            if "could not bind" not in (server.log.read_text(errors="replace") if server.log.exists() else ""):
                raise
            server.port = free_port()  # someone took the port between probing and starting: once more
            shutil.rmtree(server.data, ignore_errors=True)
            server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
