"""``onboard staff``: console passwords of staff members (``set-password``, ``reset-link``).

Both act through ``backoffice.staff_auth`` (argon2 hashes, one-time links stored hashed). A
reset link is printed, and also e-mailed to the staff member when ``ONBOARD_SMTP_HOST`` is set
(the SMTP server of the manager alerts). Exit codes as the rest of ``onboard``: 0 success, 1 a
one-line message on stderr, 2 usage.
"""

from __future__ import annotations

import getpass
import smtplib
import ssl
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.config import Settings

if TYPE_CHECKING:  # imported where used: `onboard --help` does not load the alerts or models
    from bot.alerts.email import SmtpConfig
    from bot.storage.models import StaffUser

__all__ = ["reset_link_mail", "smtp_config", "staff_app"]

staff_app = typer.Typer(help="Staff members' console passwords.", no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's ValidationError names the bad variable
        raise _fail(f"invalid settings: {exc}") from exc


@contextmanager
def _transaction(settings: Settings) -> Iterator[Session]:
    """One transaction on the configured database; database errors become one line."""
    from bot.storage.database import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session, session.begin():
            yield session
    except SQLAlchemyError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _fail(f"database: {first} (is it migrated? onboard db upgrade)") from exc
    finally:
        engine.dispose()


def _staff_by_email(session: Session, email: str) -> StaffUser:
    from bot.storage.models import StaffUser

    staff = session.scalar(
        select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower())
    )
    if staff is None:
        raise _fail(f"no staff member has the e-mail {email.strip()}")
    if not staff.active:
        raise _fail(f"{staff.email} is inactive")
    return staff


def _read_password(from_stdin: bool) -> str:
    """Twice with hidden input at a terminal; one line of stdin otherwise."""
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Once more: ") != first:
        raise _fail("the two passwords differ")
    return first


@staff_app.command("set-password")
def set_password_command(
    email: Annotated[str, typer.Argument(help="The staff member's e-mail.")],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from one line of stdin (implied when stdin is not a TTY).",
        ),
    ] = False,
) -> None:
    """Sets a staff member's console password (at least 10 characters); signs out their
    browsers and clears a lock-out."""
    from backoffice.errors import Invalid
    from backoffice.staff_auth import MIN_PASSWORD, set_password

    settings = _settings()
    password = _read_password(password_stdin)
    if len(password) < MIN_PASSWORD:
        raise _fail(f"a password needs at least {MIN_PASSWORD} characters")
    with _transaction(settings) as session:
        staff = _staff_by_email(session, email)
        try:
            set_password(session, staff, password=password, now=datetime.now(UTC))
        except Invalid as exc:
            raise _fail(exc.detail) from exc
        address = staff.email
    typer.echo(f"password set for {address}; sign in at {settings.public_url}/console/")


@staff_app.command("reset-link")
def reset_link_command(
    email: Annotated[str, typer.Argument(help="The staff member's e-mail.")],
) -> None:
    """Prints a one-time link (valid 24 hours) for the staff member to choose a password; also
    e-mails it to them when ONBOARD_SMTP_HOST is set."""
    from backoffice.staff_auth import AuthPolicy, create_reset_link

    settings = _settings()
    policy = AuthPolicy()
    with _transaction(settings) as session:
        staff = _staff_by_email(session, email)
        token = create_reset_link(session, staff, now=datetime.now(UTC), policy=policy)
        name, address = staff.name, staff.email
    url = f"{settings.public_url}/console/reset/{token}"
    typer.echo(url)
    config = smtp_config(settings)
    if config is None:
        return
    hours = int(policy.reset_valid.total_seconds() // 3600)
    message = reset_link_mail(config, name=name, address=address, url=url, hours=hours)
    try:
        _send(config, message)
    except (smtplib.SMTPException, OSError) as exc:
        raise _fail(f"the link above is valid, but e-mailing it failed: {exc!r}"[:300]) from exc
    typer.echo(f"e-mailed to {address}")


def smtp_config(settings: Settings) -> SmtpConfig | None:
    """The SMTP server of the manager alerts (``ONBOARD_SMTP_*``), None when not configured."""
    if not settings.smtp_host:
        return None
    from bot.alerts.email import SmtpConfig

    return SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        starttls=settings.smtp_starttls,
    )


def reset_link_mail(
    config: SmtpConfig, *, name: str, address: str, url: str, hours: int
) -> EmailMessage:
    """The pt-BR e-mail carrying a password link."""
    mail = EmailMessage()
    mail["Subject"] = "[Acolhe] Defina sua senha do console"
    mail["From"] = config.sender
    mail["To"] = address
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain="acolhe.local")
    mail.set_content(
        f"Olá, {name}!\n\n"
        "Para definir sua senha do console da Acolhe, abra este link:\n\n"
        f"{url}\n\n"
        f"O link vale por {hours} horas e só pode ser usado uma vez. Se você não pediu uma "
        "senha nova, ignore este e-mail: sua senha atual continua valendo.\n\n"
        "— Acolhe\n"
    )
    return mail


def _send(config: SmtpConfig, mail: EmailMessage) -> None:
    with smtplib.SMTP(config.host, config.port, timeout=config.timeout_s) as smtp:
        if config.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if config.username:
            smtp.login(config.username, config.password or "")
        smtp.send_message(mail)
