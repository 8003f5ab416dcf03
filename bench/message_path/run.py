"""One inbound Twilio message's path through the code: which project files run, in what order,
and how often control crosses from one package to another.

    .venv/bin/python -m bench.message_path.run [--verbose]

    # the same walk over another checkout (e.g. a worktree of an older commit):
    cd /work/before && PYTHONPATH=/work/before /work/main/.venv/bin/python \
        /work/main/bench/message_path/run.py

The real app (``create_app`` over ``build_runtime``) runs in this process on a temporary SQLite
database, with the Twilio channel pointed at a loopback fake Twilio (``tests/fakes``). After one
warm-up conversation (start-up and lazy imports are not the message's path), ONE signed
webhook from a new client is posted through the ASGI interface and the outbox delivers the
reply to the fake. Meanwhile ``sys.setprofile``/``threading.setprofile`` record every Python
function call whose code lives in the project (``bot``, ``backoffice``, ``nlu``, ``flows``;
tests and benches excluded), thread by thread.

Printed: the distinct project files in the order they first ran; package crossings (a call whose
package differs from the previous project call's in the same thread and asyncio task); the
distinct package-to-package edges. A package is a module's dotted path without its last part
(``bot/service/inbox.py`` → ``bot.service``, ``nlu/model.py`` → ``nlu``;
``bot/dialogue/repairs/clarify.py`` → ``bot.dialogue``: sub-packages count as their package),
except the root modules of ``bot`` (``bot/app.py`` → ``bot.app``), which are layers of their
own, and the leaf libraries ``nlu`` and ``flows``, one package each.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

PROJECT_PACKAGES = ("bot", "backoffice", "nlu", "flows")
NLU_CACHE = Path(tempfile.gettempdir()) / "message-path-nlu"  # one trained model per checkout
LEAF_LIBRARIES = ("nlu", "flows")  # counted as one package each, whatever their sub-packages
PUBLIC_URL = "https://acolhe.example.com.br"
BOT_NUMBER = "+5511900000000"


class PathRecorder:
    """Records project function calls per thread while ``active``."""

    def __init__(self, root: Path) -> None:
        self.root_path = root
        self.root = str(root) + "/"
        self.active = False
        self.calls: dict[tuple[int, int], list[str]] = {}
        self._lock = threading.Lock()
        self._known: dict[str, str | None] = {}

    def _relative(self, filename: str) -> str | None:
        known = self._known.get(filename, "")
        if known != "":
            return known
        relative: str | None = None
        if filename.startswith(self.root):
            candidate = filename[len(self.root) :]
            if candidate.split("/", 1)[0] in PROJECT_PACKAGES:
                relative = candidate
        self._known[filename] = relative
        return relative

    def profile(  # noqa: PLR0917 - the signature sys.setprofile calls
        self, frame: FrameType, event: str, arg: Any
    ) -> None:
        if not self.active or event != "call":
            return
        relative = self._relative(frame.f_code.co_filename)
        if relative is None:
            return
        # One sequence per thread and asyncio task: coroutines interleaved on the event loop
        # (the webhook's request, the outbox loop) are separate paths, not crossings.
        task = asyncio.current_task() if asyncio._get_running_loop() is not None else None
        ident = (threading.get_ident(), id(task))
        calls = self.calls.get(ident)
        if calls is None:
            with self._lock:
                calls = self.calls.setdefault(ident, [])
        calls.append(relative)


def package_of(relative: str) -> str:
    parts = relative.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if parts[0] == "bot" and len(parts) == 2:
        return ".".join(parts)  # bot/app.py, bot/metrics.py: layers of their own
    if parts[0] in LEAF_LIBRARIES:
        return parts[0]
    return ".".join(parts[:-1][:2]) or parts[0]


def report(recorder: PathRecorder, *, verbose: bool) -> None:
    first_seen: dict[str, int] = {}
    crossings = 0
    edges: Counter[tuple[str, str]] = Counter()
    calls = 0
    for sequence in recorder.calls.values():
        previous: str | None = None
        for relative in sequence:
            calls += 1
            first_seen.setdefault(relative, len(first_seen))
            package = package_of(relative)
            if previous is not None and package != previous:
                crossings += 1
                edges[(previous, package)] += 1
            previous = package
    files = sorted(first_seen, key=first_seen.__getitem__)
    packages = sorted({package_of(f) for f in files})
    print(f"project function calls: {calls} in {len(recorder.calls)} thread(s) or task(s)")
    print(f"distinct project files: {len(files)}")
    for name in files:
        print(f"  {name}")
    print(f"distinct packages: {len(packages)}: {', '.join(packages)}")
    print(f"package crossings (consecutive calls changing package): {crossings}")
    print(f"distinct package-to-package edges: {len(edges)}")
    for (source, target), count in sorted(edges.items(), key=lambda item: -item[1]):
        if verbose or count:
            print(f"  {source} -> {target}: {count}")


def _settings(tmp: Path, fake: Any, *, root: Path) -> Any:
    from bot.config import Settings

    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        database_url=f"sqlite:///{tmp}/path.db",
        public_url=PUBLIC_URL,
        twilio_account_sid=fake.account_sid,
        twilio_auth_token=fake.auth_token,
        twilio_whatsapp_number=BOT_NUMBER,
        twilio_api_url=fake.url,
        documents_dir=tmp / "documents",
        nlu_cache_dir=NLU_CACHE / str(root).strip("/").replace("/", "-"),
        brasilapi_url="",
    )


async def _post(http: httpx.AsyncClient, fake: Any, *, sender: str, body: str, sid: str) -> int:
    from tests.fakes.signing import twilio_signed_form

    params = {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": "Maria",
        "MessageType": "text",
        "WaId": sender.lstrip("+"),
        "Body": body,
        "To": f"whatsapp:{BOT_NUMBER}",
        "MessageSid": sid,
        "AccountSid": fake.account_sid,
        "From": f"whatsapp:{sender}",
        "ApiVersion": "2010-04-01",
    }
    form, signature = twilio_signed_form(f"{PUBLIC_URL}/webhooks/twilio", params, fake.auth_token)
    response = await http.post(
        "/webhooks/twilio", data=form, headers={"X-Twilio-Signature": signature}
    )
    return response.status_code


async def _replies(fake: Any, count: int, *, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while len(fake.sent) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"no reply from the outbox within {timeout_s:.0f} s")
        await asyncio.sleep(0.005)


async def walk(recorder: PathRecorder, fake: Any, *, tmp: Path) -> None:
    from bot.app import create_app
    from bot.bootstrap import build_runtime

    runtime = build_runtime(_settings(tmp, fake, root=recorder.root_path))
    app = create_app(runtime)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http,
    ):
        # Warm-up: a first conversation pays for lazy imports and first-use caches.
        warm_up = await _post(http, fake, sender="+5511988880000", body="oi", sid="SM" + "0" * 32)
        assert warm_up == 200, warm_up
        await _replies(fake, 1)
        await asyncio.sleep(0.3)
        before = len(fake.sent)
        recorder.active = True
        status = await _post(http, fake, sender="+5511977770000", body="oi", sid="SM" + "1" * 32)
        await _replies(fake, before + 1)
        recorder.active = False
        assert status == 200, status


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--verbose", action="store_true", help="list every edge")
    args = parser.parse_args()
    bot = importlib.import_module("bot")
    root = Path(bot.__file__ or "").resolve().parents[1]
    print(f"code under test: {root} (bot imported from {bot.__file__})")
    from tests.fakes.twilio import FakeTwilio

    recorder = PathRecorder(root)
    with FakeTwilio() as fake, tempfile.TemporaryDirectory() as tmp:
        threading.setprofile(recorder.profile)
        sys.setprofile(recorder.profile)
        try:
            asyncio.run(walk(recorder, fake, tmp=Path(tmp)))
        finally:
            sys.setprofile(None)
            threading.setprofile(None)
    report(recorder, verbose=args.verbose)


if __name__ == "__main__":
    main()
