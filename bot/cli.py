"""``onboard``: the command line (serve, worker, chat, db, seed-demo, staff, nlu, ocr).

Exit codes: 0 success, 1 failure with a one-line message on stderr, 2 usage error.
"""

from __future__ import annotations

import getpass
import sys
import uuid
from pathlib import Path
from typing import Annotated

import typer

from bot.cli_staff import staff_app
from bot.config import Settings
from bot.logs import configure_logging
from nlu.cli import create_app as create_nlu_app
from nlu.types import Interpreter

app = typer.Typer(
    name="onboard",
    help="Acolhe: conversational onboarding assistant.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
telegram_app = typer.Typer(help="Telegram bot set-up.", no_args_is_help=True)
app.add_typer(telegram_app, name="telegram")
app.add_typer(staff_app, name="staff")


def _interpreter() -> Interpreter:
    from bot.bootstrap import build_interpreter

    return build_interpreter(_settings())


def _nlu_cache_dir() -> Path:
    return _settings().nlu_cache_dir


app.add_typer(
    create_nlu_app(_interpreter, cache_dir_factory=_nlu_cache_dir),
    name="nlu",
    help="Intents and entities: parse, test, train.",
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's ValidationError names the bad variable
        raise _fail(f"invalid settings: {exc}") from exc


# Above the usual idle timeouts of proxies and load balancers (nginx 75 s upstream keep-alive
# is common, AWS ALB 60 s), unlike uvicorn's 5 s.
KEEP_ALIVE_S = 75
# On SIGTERM, requests in flight get this long to finish; then what is still open (the
# console's live streams never end on their own) is cut, so the workers stop cleanly before a
# supervisor's SIGKILL (Docker and systemd wait 10 s). Cut browsers reconnect elsewhere and
# replay what they missed (Last-Event-ID).
GRACEFUL_SHUTDOWN_S = 5


def _configure_logging(level: str = "INFO") -> None:
    """Once, before anything is built: records masked of personal data (``bot.logs``)."""
    configure_logging(level)


@app.command()
def serve(
    *,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[
        bool, typer.Option("--workers/--no-workers", help="Run background workers in-process.")
    ] = True,
    telegram_polling: Annotated[
        bool, typer.Option("--telegram-polling", help="Read Telegram by getUpdates (no webhook).")
    ] = False,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every HTTP request (off: /metrics counts them; a line each costs CPU).",
        ),
    ] = False,
    keep_alive_s: Annotated[
        int,
        typer.Option(
            help="Seconds an idle keep-alive connection stays open; keep it above the idle "
            "timeout of the proxy or load balancer in front, or a request sent just as it "
            "closes is lost with the connection.",
            min=1,
        ),
    ] = KEEP_ALIVE_S,
) -> None:
    """Runs the ASGI app: web chat, webhooks, back-office API (and, by default, the workers)."""
    import uvicorn

    from bot.app import create_app
    from bot.bootstrap import build_runtime

    _configure_logging()
    settings = _settings()
    runtime = build_runtime(settings)
    typer.echo(f"Acolhe is running at http://{host}:{port}/ (web chat) — API docs at /docs")
    uvicorn.run(
        create_app(runtime, run_workers=workers, telegram_polling=telegram_polling),
        host=host,
        port=port,
        log_level="info",
        log_config=None,  # uvicorn's loggers write through the root's handler, as configured
        access_log=access_log,
        timeout_keep_alive=keep_alive_s,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )


@app.command()
def worker() -> None:
    """Runs the background workers only (outbox, documents, reminders, alerts, ERP, sweeps),
    beside `serve --no-workers`; run as many as you like against the same database."""
    import asyncio
    import contextlib
    import signal

    from bot.background import start_workers
    from bot.bootstrap import build_process, build_runtime

    _configure_logging()
    runtime = build_runtime(_settings())

    async def run() -> None:
        # The events this process writes (deliveries, readings, alerts) wake the consoles of
        # the serve processes at once through Redis; it reads none itself.
        process = build_process(runtime, serving=False)
        await process.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        tasks = start_workers(process, stop=stop)
        typer.echo("Acolhe worker running (Ctrl-C to stop)")
        try:
            await stop.wait()
            _done, late = await asyncio.wait(tasks, timeout=15)
            for task in late:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        finally:
            await process.stop()
            runtime.close()

    asyncio.run(run())


@app.command()
def chat(
    user: Annotated[str | None, typer.Option(help="Conversation id (default: your login).")] = None,
    lang: Annotated[str, typer.Option(help="pt or en.")] = "pt",
) -> None:
    """Talks to the bot in the terminal, with the same engine and database as the channels."""
    from datetime import UTC, datetime

    from bot.bootstrap import build_runtime
    from bot.domain.messages import Channel, InboundMessage

    if lang not in ("pt", "en"):
        raise typer.BadParameter("--lang must be pt or en")
    _configure_logging("WARNING")  # the conversation owns the terminal; warnings still show
    runtime = build_runtime(_settings())
    address = user or f"terminal-{getpass.getuser()}"

    def send(text: str) -> None:
        inbound = InboundMessage(
            channel=Channel.TERMINAL,
            address=address,
            text=text,
            external_id=uuid.uuid4().hex,
            received_at=datetime.now(UTC),
        )
        handled = runtime.conversations.handle(inbound)
        if handled.bot_paused:
            typer.echo("(a person from our team is handling this conversation)")
        for reply in handled.replies:
            typer.echo(f"\nAcolhe: {reply.text}")
            for number, (_choice_id, title) in enumerate(reply.choices, start=1):
                typer.echo(f"  {number}) {title}")

    typer.echo("Acolhe — type your messages; Ctrl-D to leave.")
    send("english" if lang == "en" else "oi")
    try:
        while True:
            line = input("\nVocê> " if lang == "pt" else "\nYou> ")
            send(line)
    except (EOFError, KeyboardInterrupt):
        typer.echo("")
    finally:
        runtime.close()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Applies the database migrations (idempotent)."""
    from bot.storage.database import upgrade

    settings = _settings()
    try:
        upgrade(settings.database_url)
    except Exception as exc:
        raise _fail(f"migration failed: {exc}") from exc
    typer.echo("database is up to date")


@app.command("seed-demo")
def seed_demo() -> None:
    """Creates demo staff (admin, manager, CSM) and the CSM's training sessions for the next
    21 days; prints the API tokens, the console passwords and how many sessions there are.
    Safe to run again: the users are kept, tokens and passwords are new on every run."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from backoffice.staff_auth import set_password
    from bot.bootstrap import backoffice_settings
    from bot.service.training.demo import seed_demo_training
    from bot.storage.database import make_engine, make_session_factory, upgrade
    from bot.storage.models import StaffUser
    from bot.storage.seed import seed_demo_passwords, seed_demo_staff

    settings = _settings()
    try:
        calendar = backoffice_settings(settings).calendar()
    except ValueError as exc:  # a bad time zone, holiday state or list of days
        raise _fail(f"invalid settings: {exc}") from exc
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        sessions = make_session_factory(engine)
        tokens = seed_demo_staff(sessions)
        now = datetime.now(UTC)
        passwords = seed_demo_passwords(
            sessions,
            lambda session, staff, secret: set_password(session, staff, password=secret, now=now),
        )
        csm_email = next(email for email, (role, _) in tokens.items() if role == "csm")
        with sessions.begin() as session:
            csm_id = session.scalars(select(StaffUser.id).where(StaffUser.email == csm_email)).one()
            sessions_open = seed_demo_training(
                session,
                csm_id=csm_id,
                now=datetime.now(UTC),
                is_holiday=calendar.is_holiday,
                timezone=settings.timezone,
            )
    finally:
        engine.dispose()
    for email, (role, token) in tokens.items():
        typer.echo(f"{role:8} {email:28} {token}")
    typer.echo(f"training {csm_email:28} {sessions_open} open sessions in the next 21 days")
    typer.echo(
        f"console  {settings.public_url}/console/ — sign in with (new passwords on every run; "
        "the users are kept):"
    )
    for email, (role, password) in passwords.items():
        typer.echo(f"password {email:28} {role:8} {password}")


@app.command()
def ocr(
    file: Annotated[Path, typer.Argument(help="An image (JPEG/PNG/WebP) or a PDF.")],
    kind: Annotated[
        str, typer.Option(help="auto, cnpj_card, cnh, rg, comprovante_endereco or contrato_social.")
    ] = "auto",
) -> None:
    """Reads a document; prints {"kind", "fields", "confidence", "warnings"} as JSON."""
    import json
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.documents import DocumentError, DocumentRejected, run_ocr

    kinds = ("auto", "cnpj_card", "cnh", "rg", "comprovante_endereco", "contrato_social")
    if kind not in kinds:
        raise typer.BadParameter(f"--kind must be one of {', '.join(kinds)}")
    today = datetime.now(ZoneInfo(_settings().timezone)).date()
    try:
        result = run_ocr(file, kind=kind, today=today)
    except DocumentRejected as exc:
        raise _fail(exc.message_en) from exc
    except DocumentError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(json.dumps(result, ensure_ascii=False))


@telegram_app.command("set-webhook")
def telegram_set_webhook() -> None:
    """Registers ONBOARD_PUBLIC_URL/webhooks/telegram with Telegram, with the secret token."""
    import asyncio

    from bot.bootstrap import build_channels
    from bot.domain.channels import ChannelError

    settings = _settings()
    channel = build_channels(settings).telegram_channel
    if channel is None:
        raise _fail("set ONBOARD_TELEGRAM_BOT_TOKEN and ONBOARD_TELEGRAM_SECRET_TOKEN first")
    url = f"{settings.public_url}/webhooks/telegram"

    async def register() -> None:
        async with channel:
            await channel.set_webhook(url)

    try:
        asyncio.run(register())
    except ChannelError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"Telegram webhook set to {url}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
