"""``onboard staff set-password`` / ``reset-link`` and the console passwords of ``seed-demo``,
run as real processes against a real database (and the fake SMTP server for the e-mail)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, create_engine, select
from sqlalchemy.orm import Session

from backoffice.staff_auth import AuthPolicy, SignInRefused, find_reset_link, sign_in
from bot.storage.models import StaffUser
from tests.backoffice.factories import make_staff
from tests.bot.test_cli import _onboard, cli_env  # noqa: F401  (the fixture)
from tests.fakes.smtp import FakeSmtp

PUBLIC = "https://acolhe.example.com.br"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def staff_email(engine: Engine) -> str:
    with Session(engine) as session, session.begin():
        staff, _token = make_staff(session, role="csm", now=datetime.now(UTC), name="Bia Souza")
        return staff.email


def _signs_in(engine: Engine, email: str, password: str) -> bool:
    with Session(engine) as session, session.begin():
        try:
            sign_in(session, email, password=password, now=datetime.now(UTC), policy=AuthPolicy())
        except SignInRefused:
            return False
        return True


def _one_line_error(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def test_set_password_reads_one_line_of_stdin_and_the_password_signs_in(
    cli_env: dict[str, str],  # noqa: F811
    engine: Engine,
    staff_email: str,
) -> None:
    result = _onboard(
        "staff", "set-password", staff_email.upper(), env=cli_env, stdin="uma senha longa 42\n"
    )
    assert result.returncode == 0, result.stderr
    assert staff_email in result.stdout and "/console/" in result.stdout
    assert _signs_in(engine, staff_email, "uma senha longa 42")
    assert not _signs_in(engine, staff_email, "uma senha longa 42\n")
    # --password-stdin says the same explicitly, and a new password replaces the old one.
    again = _onboard(
        "staff",
        "set-password",
        "--password-stdin",
        staff_email,
        env=cli_env,
        stdin="outra-senha-comprida",
    )
    assert again.returncode == 0, again.stderr
    assert _signs_in(engine, staff_email, "outra-senha-comprida")
    assert not _signs_in(engine, staff_email, "uma senha longa 42")


def test_a_short_password_or_an_unknown_email_fails_with_one_line(
    cli_env: dict[str, str],  # noqa: F811
    engine: Engine,
    staff_email: str,
) -> None:
    short = _onboard("staff", "set-password", staff_email, env=cli_env, stdin="curta123\n")
    assert short.returncode == 1
    assert "at least 10 characters" in _one_line_error(short.stderr)
    with Session(engine) as session:
        stored = session.scalars(select(StaffUser).where(StaffUser.email == staff_email)).one()
        assert stored.password_hash is None  # nothing was set
    unknown = _onboard(
        "staff", "set-password", "ninguem@acolhe.com.br", env=cli_env, stdin="senha-bem-longa\n"
    )
    assert unknown.returncode == 1
    assert "ninguem@acolhe.com.br" in _one_line_error(unknown.stderr)
    link = _onboard("staff", "reset-link", "ninguem@acolhe.com.br", env=cli_env)
    assert link.returncode == 1
    assert "no staff member" in _one_line_error(link.stderr)
    assert _onboard("staff", "set-password", env=cli_env).returncode == 2  # no e-mail: usage


def _token_of(url: str) -> str:
    prefix = f"{PUBLIC}/console/reset/"
    assert url.startswith(prefix), url
    return url.removeprefix(prefix)


def test_reset_link_prints_a_one_time_link_under_the_public_url(
    cli_env: dict[str, str],  # noqa: F811
    engine: Engine,
    staff_email: str,
) -> None:
    env = dict(cli_env, ONBOARD_PUBLIC_URL=PUBLIC + "/")
    result = _onboard("staff", "reset-link", staff_email, env=env)
    assert result.returncode == 0, result.stderr
    (url,) = result.stdout.strip().splitlines()  # no SMTP: the link alone, nothing e-mailed
    with Session(engine) as session:
        reset = find_reset_link(session, _token_of(url), now=datetime.now(UTC))
        assert reset is not None
        owner = session.get_one(StaffUser, reset.staff_id)
        assert owner.email == staff_email


def test_reset_link_is_also_emailed_in_portuguese_when_smtp_is_configured(
    cli_env: dict[str, str],  # noqa: F811
    staff_email: str,
) -> None:
    with FakeSmtp() as smtp:
        env = dict(
            cli_env,
            ONBOARD_PUBLIC_URL=PUBLIC,
            ONBOARD_SMTP_HOST=smtp.host,
            ONBOARD_SMTP_PORT=str(smtp.port),
            ONBOARD_SMTP_STARTTLS="false",
            ONBOARD_SMTP_FROM="acolhe@acolhe.example.com.br",
        )
        result = _onboard("staff", "reset-link", staff_email, env=env)
        assert result.returncode == 0, result.stderr
        url, said = result.stdout.strip().splitlines()
        assert said == f"e-mailed to {staff_email}"
        (mail,) = smtp.wait_for(1)
    _token_of(url)
    assert mail.rcpt_tos == [staff_email]
    assert mail.subject == "[Acolhe] Defina sua senha do console"
    assert "Olá, Bia Souza!" in mail.text and url in mail.text
    assert "só pode ser usado uma vez" in mail.text


def test_reset_link_says_so_when_the_mail_fails_but_keeps_the_link(
    cli_env: dict[str, str],  # noqa: F811
    staff_email: str,
) -> None:
    with FakeSmtp() as smtp:
        smtp.fail_next(554, "5.7.1 Rejected")
        env = dict(
            cli_env,
            ONBOARD_SMTP_HOST=smtp.host,
            ONBOARD_SMTP_PORT=str(smtp.port),
            ONBOARD_SMTP_STARTTLS="false",
        )
        result = _onboard("staff", "reset-link", staff_email, env=env)
    assert result.returncode == 1
    assert "/console/reset/" in result.stdout
    assert "e-mailing it failed" in _one_line_error(result.stderr)


def _passwords(stdout: str) -> dict[str, tuple[str, str]]:
    lines = [line.split() for line in stdout.splitlines()]
    return {line[1]: (line[2], line[3]) for line in lines if line and line[0] == "password"}


def test_seed_demo_prints_console_passwords_that_sign_in_and_change_every_run(
    cli_env: dict[str, str],  # noqa: F811
    engine: Engine,
) -> None:
    env = dict(cli_env, ONBOARD_PUBLIC_URL=PUBLIC)
    first = _onboard("seed-demo", env=env)
    assert first.returncode == 0, first.stderr
    assert f"{PUBLIC}/console/" in first.stdout
    assert "new passwords on every run" in first.stdout
    passwords = _passwords(first.stdout)
    assert {email: role for email, (role, _) in passwords.items()} == {
        "admin@acolhe.demo": "admin",
        "gestor@acolhe.demo": "manager",
        "csm@acolhe.demo": "csm",
    }
    for email, (_role, password) in passwords.items():
        assert len(password) >= 16
        assert _signs_in(engine, email, password)
    second = _onboard("seed-demo", env=env)
    assert second.returncode == 0, second.stderr
    renewed = _passwords(second.stdout)
    for email, (_role, password) in passwords.items():
        assert renewed[email][1] != password
        assert not _signs_in(engine, email, password)
        assert _signs_in(engine, email, renewed[email][1])
    with Session(engine) as session:  # the users are kept
        demo = session.scalars(select(StaffUser.email).where(StaffUser.email.like("%.demo")))
        assert sorted(demo) == sorted(passwords)


def _at_a_terminal(env: dict[str, str], *args: str, answers: tuple[str, ...]) -> tuple[int, str]:
    """Runs ``onboard`` with a pseudo-terminal as stdin, so it prompts (on stderr, there being
    no controlling terminal), and types each answer once its prompt is shown: getpass flushes
    what was typed before it asks."""
    import os
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        stdin=slave,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )
    assert process.stderr is not None
    seen = b""
    try:
        for prompt, answer in zip(("New password: ", "Once more: "), answers, strict=True):
            while prompt.encode() not in seen:
                chunk = os.read(process.stderr.fileno(), 1024)
                assert chunk, f"no prompt {prompt!r}: {seen!r}"
                seen += chunk
            seen = seen.replace(prompt.encode(), b"", 1)
            os.write(master, answer.encode() + b"\n")
        rest = process.stderr.read()
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
        os.close(master)
        os.close(slave)
    return process.returncode, (seen + rest).decode()


def test_at_a_terminal_the_password_is_asked_twice(
    cli_env: dict[str, str],  # noqa: F811
    engine: Engine,
    staff_email: str,
) -> None:
    command = ("staff", "set-password", staff_email)
    differ, stderr = _at_a_terminal(
        cli_env, *command, answers=("senha-numero-um", "senha-numero-dois")
    )
    assert differ == 1 and "the two passwords differ" in stderr
    assert not _signs_in(engine, staff_email, "senha-numero-um")
    same, stderr = _at_a_terminal(
        cli_env, *command, answers=("senha-digitada-1", "senha-digitada-1")
    )
    assert same == 0, stderr
    assert _signs_in(engine, staff_email, "senha-digitada-1")
