"""The drill's own services, so that restarting them harms nobody: a redis-server on another
loopback port, a throwaway PostgreSQL cluster (initdb in a temporary directory, as .ci/run
does), and a small tmpfs for the documents folder. The machine's Redis (6379) and PostgreSQL
(5432) are never touched."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """redis-server on 127.0.0.1:``port``, nothing kept on disk (a restart starts empty)."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.workdir / "redis.log").open("ab")
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def rss_kb(self) -> int:
        return rss_kb(self.process.pid) if self.process else 0


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own on another port, run as the ``postgres`` user."""

    def __init__(self) -> None:
        self.port = free_port()
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parts[-2])
        if not bins:
            raise RuntimeError("no /usr/lib/postgresql/*/bin: install postgresql")
        self.bin = bins[-1]
        self.data = Path(tempfile.mkdtemp(prefix="acolhe-chaos-pg."))
        shutil.chown(self.data, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *args: str) -> None:
        command = " ".join(args)
        subprocess.run(
            ["su", "postgres", "-s", "/bin/sh", "-c", command],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def init(self) -> None:
        self._as_postgres(
            f"{self.bin}/initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres"
        )
        self.start()

    def start(self) -> None:
        # fsync off: the drill restarts PostgreSQL, it never crashes the machine (the OS keeps
        # what was written), and the shared machine's disk is spared.
        options = (
            f"'-p {self.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200'"
        )
        self._as_postgres(
            f"{self.bin}/pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.data / "log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(f"{self.bin}/pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.data, ignore_errors=True)

    def rss_kb(self) -> int:
        """The postmaster and its backends together."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return 0
        master = int(pid_file.read_text().split()[0])
        return rss_kb(master) + sum(rss_kb(child) for child in children(master))


class SmallDisk:
    """A tmpfs of ``size_mb`` mounted at ``path`` (needs root); ``fill`` leaves no free byte."""

    def __init__(self, path: Path, *, size_mb: int = 8) -> None:
        self.path = path
        self.size_mb = size_mb
        self.mounted = False
        self.why_not = ""

    def mount(self) -> bool:
        self.path.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.size_mb}m", "tmpfs", str(self.path)],
            capture_output=True,
            text=True,
        )
        self.mounted = done.returncode == 0
        self.why_not = done.stderr.strip()
        return self.mounted

    def fill(self) -> None:
        with (self.path / "filler").open("wb") as sink:
            try:
                while True:
                    sink.write(b"\0" * 65536)
                    sink.flush()
            except OSError:
                pass

    def free(self) -> None:
        (self.path / "filler").unlink(missing_ok=True)

    def unmount(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], check=False)
            self.mounted = False


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def children(pid: int) -> list[int]:
    """Every descendant of ``pid``."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(parent, []).append(int(entry))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
