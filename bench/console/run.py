"""The console's page times with 5,000 onboardings and 50,000 messages in PostgreSQL.

    .venv/bin/python -m bench.console.run [--requests 50] [--keep]

Drops and recreates the database ``console_bench`` on 127.0.0.1:5432 (trust auth), migrates it
with ``onboard db upgrade``, fills it in bulk (bench/console/fill.py), starts ``onboard serve
--no-workers`` on it, signs in as a CSM, a manager and an admin, and requests each page
``--requests`` times one after the other on a keep-alive connection (after 3 untimed warm-up
requests). Times are measured by the client on loopback, request sent to body read: the
server's time plus a loopback round trip. A page that is not mounted is reported as missing; a
page the role may not open as refused. See bench/console/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from bench.console.fill import BENCH_PASSWORD, Filled, Volume, fill

ROOT = Path(__file__).resolve().parents[2]
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DATABASE = "console_bench"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SLOW_MS = 300.0


@dataclass(frozen=True)
class Page:
    name: str
    path: str


@dataclass(frozen=True)
class Result:
    page: str
    role: str
    status: str
    times_ms: tuple[float, ...]
    size_kb: float

    def quantile(self, q: float) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def pages(filled: Filled, role: str) -> list[Page]:
    tab = {"csm": "mine", "manager": "team", "admin": "all"}[role]
    return [
        Page("inbox", f"/console/inbox?tab={tab}"),
        Page("inbox (unassigned)", "/console/inbox?tab=unassigned"),
        Page("board", "/console/board"),
        Page("client record", f"/console/clients/{filled.client_id}"),
        Page("client list", "/console/clients"),
        Page("conversation", f"/console/conversations/{filled.conversation_id}"),
        Page("reports", "/console/reports"),
    ]


def recreate(server: str, *, jit: bool = True) -> str:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        if not jit:
            connection.execute(text(f'ALTER DATABASE "{DATABASE}" SET jit = off'))
    admin.dispose()
    return server.rsplit("/", 1)[0] + f"/{DATABASE}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def onboard(*args: str) -> list[str]:
    return [str(ROOT / ".venv" / "bin" / "onboard"), *args]


def wait_ready(url: str, process: subprocess.Popen[bytes], *, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"onboard serve exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("onboard serve did not answer /healthz")


def sign_in(url: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    page = client.get("/console/login")
    found = CSRF.search(page.text)
    if found is None:
        raise SystemExit(f"no sign-in form at /console/login ({page.status_code})")
    answer = client.post(
        "/console/login",
        data={"email": email, "password": BENCH_PASSWORD, "csrf_token": found.group(1)},
    )
    if answer.status_code != 303:
        raise SystemExit(f"sign-in as {email} refused: {answer.status_code}")
    return client


def measure(client: httpx.Client, page: Page, *, role: str, requests: int) -> Result:
    first = client.get(page.path)
    if first.status_code == 404 and "text/html" not in first.headers.get("content-type", ""):
        return Result(page.name, role, "missing", (), 0.0)
    if first.status_code == 404:
        return Result(page.name, role, "404", (), 0.0)
    if first.status_code in (401, 403):
        return Result(page.name, role, f"refused ({first.status_code})", (), 0.0)
    if first.status_code != 200:
        return Result(page.name, role, f"error {first.status_code}", (), 0.0)
    for _ in range(2):
        client.get(page.path)
    times: list[float] = []
    size = 0
    for _ in range(requests):
        started = time.perf_counter()
        answer = client.get(page.path)
        size = len(answer.content)
        times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            return Result(page.name, role, f"error {answer.status_code}", tuple(times), 0.0)
    return Result(page.name, role, "ok", tuple(times), size / 1024)


def table(results: list[Result]) -> str:
    lines = [
        f"{'page':20} {'role':8} {'status':14} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'KB':>7}",
    ]
    for r in results:
        if r.status != "ok":
            lines.append(f"{r.page:20} {r.role:8} {r.status:14}")
            continue
        slow = "  SLOW" if r.quantile(0.99) > SLOW_MS else ""
        lines.append(
            f"{r.page:20} {r.role:8} {r.status:14} {r.quantile(0.5):8.1f} "
            f"{r.quantile(0.99):8.1f} {max(r.times_ms):8.1f} {r.size_kb:7.1f}{slow}"
        )
    return "\n".join(lines)


# long: a benchmark script: start, measure each screen, report, in order
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", default=SERVER, help="PostgreSQL server (its postgres db)")
    parser.add_argument("--onboardings", type=int, default=5000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="leave the server running (Ctrl-C)")
    parser.add_argument(
        "--no-jit",
        action="store_true",
        help="ALTER DATABASE ... SET jit = off (PostgreSQL's JIT compiles the inbox's queries)",
    )
    args = parser.parse_args()

    url = args.server.rsplit("/", 1)[0] + f"/{DATABASE}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARD_")}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    work = Path(tempfile.mkdtemp(prefix="console-bench-"))
    env.update(
        ONBOARD_DATABASE_URL=url,
        ONBOARD_PUBLIC_URL=base,
        ONBOARD_DOCUMENTS_DIR=str(work / "documents"),
        ONBOARD_BRASILAPI_URL="",
    )
    recreate(args.server, jit=not args.no_jit)
    started = time.perf_counter()
    subprocess.run(onboard("db", "upgrade"), env=env, check=True, cwd=ROOT)
    print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)
    engine = create_engine(url)
    started = time.perf_counter()
    filled = fill(engine, Volume(onboardings=args.onboardings, messages=args.messages))
    engine.dispose()
    counts = ", ".join(f"{name} {count:,}" for name, count in filled.counts.items())
    print(f"filled in {time.perf_counter() - started:.1f} s: {counts}", flush=True)

    log = (work / "serve.log").open("wb")
    server = subprocess.Popen(
        onboard("serve", "--port", str(port), "--no-workers"),
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_ready(base, server)
        results: list[Result] = []
        for role, email in (
            ("csm", filled.csm),
            ("manager", filled.manager),
            ("admin", filled.admin),
        ):
            client = sign_in(base, email)
            try:
                for page in pages(filled, role):
                    result = measure(client, page, role=role, requests=args.requests)
                    results.append(result)
                    print(table([result]).splitlines()[1], flush=True)
            finally:
                client.close()
        print()
        jit = "jit off" if args.no_jit else "the server's jit setting"
        print(
            f"{args.onboardings:,} onboardings, {args.messages:,} messages, {jit}, "
            f"{args.requests} timed requests per page (client-side, loopback):"
        )
        print(table(results))
        if args.keep:
            print(f"\nserving at {base}/console/ (password {BENCH_PASSWORD}); Ctrl-C to stop")
            server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        print(f"server log: {work / 'serve.log'}", file=sys.stderr)


if __name__ == "__main__":
    main()
