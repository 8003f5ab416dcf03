"""The application's processes: ``serve --no-workers`` and ``onboard worker`` (``python -m bot``),
started, killed with SIGKILL and started again by name; their RSS and their logs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.chaos.services import children, rss_kb


@dataclass
class AppProcess:
    name: str
    args: list[str]
    port: int | None = None
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    logs: list[Path] = field(default_factory=list)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss_kb(self) -> int:
        """The process and its children (the OCR pool's processes)."""
        if self.process is None or self.process.poll() is not None:
            return 0
        return rss_kb(self.pid) + sum(rss_kb(child) for child in children(self.pid))


class Cluster:
    """Processes of one application tree (``tree``: this checkout, or an older one to compare)
    sharing ``env``; logs in ``logs``."""

    def __init__(self, *, tree: Path, env: dict[str, str], logs: Path) -> None:
        self.tree = tree
        self.env = env
        self.logs = logs
        self.processes: dict[str, AppProcess] = {}
        self.env_of: dict[str, dict[str, str]] = {}

    def add_serve(self, name: str, port: int) -> None:
        args = ["serve", "--no-workers", "--port", str(port)]
        self.processes[name] = AppProcess(name, args, port=port)

    def add_worker(self, name: str, *, documents_dir: Path | None = None) -> None:
        self.processes[name] = AppProcess(name, ["worker"])
        if documents_dir is not None:
            self.env_of[name] = {"ONBOARD_DOCUMENTS_DIR": str(documents_dir)}

    def migrate(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "bot", "db", "upgrade"],
            cwd=self.tree,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start(self, name: str) -> None:
        app = self.processes[name]
        app.starts += 1
        log = self.logs / f"{name}-{app.starts}.log"
        app.logs.append(log)
        with log.open("wb") as sink:
            app.process = subprocess.Popen(
                [sys.executable, "-m", "bot", *app.args],
                cwd=self.tree,
                env={**self.env, **self.env_of.get(name, {})},
                stdout=sink,
                stderr=subprocess.STDOUT,
            )

    def start_all(self) -> None:
        for name in self.processes:
            self.start(name)
        for name in self.processes:
            self.wait_ready(name)

    def wait_ready(self, name: str, timeout_s: float = 120.0) -> float:
        """Seconds until the process serves (``/healthz``) or its workers run."""
        app = self.processes[name]
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            assert app.process is not None
            if app.process.poll() is not None:
                raise RuntimeError(f"{name} exited: {app.logs[-1].read_text()[-2000:]}")
            if app.port is not None:
                try:
                    url = f"http://127.0.0.1:{app.port}/healthz"
                    if httpx.get(url, timeout=1).status_code == 200:
                        return time.monotonic() - started
                except httpx.HTTPError:
                    pass
            elif "worker running" in app.logs[-1].read_text(errors="replace"):
                return time.monotonic() - started
            time.sleep(0.1)
        raise RuntimeError(f"{name} not ready after {timeout_s} s")

    def kill9(self, name: str) -> None:
        app = self.processes[name]
        assert app.process is not None
        for child in children(app.pid):  # the OCR pool dies with it, as in a container
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        app.process.kill()
        app.process.wait()

    def stop_all(self) -> None:
        for app in self.processes.values():
            if app.process is not None and app.process.poll() is None:
                app.process.terminate()
        for app in self.processes.values():
            if app.process is None:
                continue
            try:
                app.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill9(app.name)

    def problems(self, *, since: dict[str, int] | None = None) -> list[str]:
        """ERROR lines and tracebacks in the logs (from byte offsets ``since``, per log)."""
        found: list[str] = []
        for app in self.processes.values():
            for log in app.logs:
                text = log.read_text(errors="replace")[(since or {}).get(str(log), 0) :]
                lines = text.splitlines()
                for n, line in enumerate(lines):
                    if " ERROR " in line:
                        found.append(f"{log.name}: {line[:200]}")
                    elif line.startswith("Traceback"):
                        found.append(f"{log.name}: Traceback: {_raised(lines, n)[:200]}")
        return found

    def log_offsets(self) -> dict[str, int]:
        return {str(log): log.stat().st_size for app in self.processes.values() for log in app.logs}


def _raised(lines: list[str], start: int) -> str:
    """The exception line that ends the traceback starting at ``lines[start]``."""
    for line in lines[start + 1 :]:
        if line and not line.startswith((" ", "Traceback", "During handling", "The above")):
            return line
    return "?"
