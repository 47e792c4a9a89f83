"""A throwaway PostgreSQL server for the test run, from the installed binaries.

initdb into a temporary folder, start on a free loopback port, hand out the
connection settings, and stop exactly that server (and remove its folder)
afterwards. PostgreSQL refuses to run as root; as root (CI) the server runs
as the unprivileged `postgres` system user instead.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def find_bindir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    candidates += sorted(glob.glob("/usr/local/pgsql/bin/initdb"))
    return Path(candidates[0]).parent if candidates else None


def _children(pid: int) -> list[int]:
    found = []
    path = Path(f"/proc/{pid}/task/{pid}/children")
    for child in path.read_text().split() if path.exists() else []:
        found += [int(child), *_children(int(child))]
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ThrowawayPostgres:
    user: str = "oncopro"
    port: int = 0
    bindir: Path = field(default_factory=Path)
    root: Path | None = None
    run_as: str | None = None
    # Tests trade durability for speed; a crash test needs the real thing
    # (with synchronous_commit off, a killed server forgets acknowledged commits).
    durable: bool = False
    keep: bool = False  # stop the server but leave its folder (see start)

    @property
    def datadir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    def _cmd(self, *argv: str) -> list[str]:
        if self.run_as:
            return ["runuser", "-u", self.run_as, "--", *argv]
        return list(argv)

    def _run(self, *argv: str) -> None:
        result = subprocess.run(self._cmd(*argv), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            output = result.stdout + result.stderr
            raise PostgresUnavailable(
                f"{Path(argv[0]).name} failed ({result.returncode}):\n{output}"
            )

    def start(self, keep_in: Path | None = None) -> ThrowawayPostgres:
        """Start a new server. With `keep_in`, the server lives in that folder
        and `stop` leaves it there; a folder that already holds one (a
        benchmark's seeded cohort) is started again as it is."""
        if keep_in is not None and (keep_in / "data" / "PG_VERSION").exists():
            self.keep, self.root, self.bindir = True, keep_in, find_bindir() or Path()
            self.run_as = "postgres" if os.geteuid() == 0 else None
            self.port = free_port()
            self._start_server()
            return self
        bindir = find_bindir()
        if bindir is None:
            raise PostgresUnavailable(
                "PostgreSQL server binaries (initdb, pg_ctl) were not found. "
                "Install them (Debian: apt-get install postgresql) to run the PostgreSQL tests."
            )
        self.bindir = bindir
        if keep_in is not None:
            keep_in.mkdir(parents=True, exist_ok=True)
            self.keep, self.root = True, keep_in
        else:
            self.root = Path(tempfile.mkdtemp(prefix="oncopro-pg-"))
        if os.geteuid() == 0:
            self.run_as = "postgres"
            try:
                entry = pwd.getpwnam(self.run_as)
            except KeyError as error:
                raise PostgresUnavailable(
                    "Running as root, and there is no 'postgres' user to run PostgreSQL as."
                ) from error
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.port = free_port()
        self._run(
            str(bindir / "initdb"),
            "-D", str(self.datadir),
            "-U", self.user,
            "-A", "trust",
            "-E", "UTF8",
            "--locale=C",
            "--no-sync",
        )  # fmt: skip
        self._start_server()
        return self

    def _start_server(self) -> None:
        assert self.root is not None
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        )
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D", str(self.datadir),
            "-o", options,
            "-l", str(self.root / "server.log"),
            "-w",
            "-t", "60",
            "start",
        )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL the server (as a crash would): no shutdown, no checkpoint."""
        postmaster = int((self.datadir / "postmaster.pid").read_text().split()[0])
        family = [postmaster, *_children(postmaster)]
        for pid in family:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for _ in range(200):  # until every one of them is gone
            if not any(Path(f"/proc/{pid}").exists() for pid in family):
                break
            time.sleep(0.05)

    def restart_after_crash(self) -> None:
        """Start it again: PostgreSQL recovers from its write-ahead log."""
        (self.datadir / "postmaster.pid").unlink(missing_ok=True)
        self._start_server()

    def stop(self) -> None:
        if self.root is None:
            return
        if (self.datadir / "postmaster.pid").exists():
            subprocess.run(
                self._cmd(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast",
                          "-w", "stop"),
                capture_output=True,
                check=False,
            )  # fmt: skip
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def django_settings(self, name: str = "oncopro") -> dict[str, object]:
        return {
            "ENGINE": "oncopro.db.postgres_backend",
            "NAME": name,
            "USER": self.user,
            "PASSWORD": "",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "OPTIONS": {},
            "ATOMIC_REQUESTS": False,
            "AUTOCOMMIT": True,
            "TIME_ZONE": None,
            "TEST": {"NAME": f"test_{name}"},
        }
