"""The ``onboard`` command line, run as a real process."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot.service.training.demo import DEMO_MEETING_URL
from bot.storage.models import StaffUser, TrainingAvailability, TrainingSlot


def _onboard(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, nlu_cache_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARD_")}
    env.update(
        ONBOARD_DATABASE_URL=database_url,
        ONBOARD_NLU_CACHE_DIR=str(nlu_cache_dir),
        ONBOARD_DOCUMENTS_DIR=str(tmp_path / "docs"),
        ONBOARD_BRASILAPI_URL="",
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    return env


def test_db_upgrade_is_idempotent(cli_env: dict[str, str]) -> None:
    for _ in range(2):
        result = _onboard("db", "upgrade", env=cli_env)
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout


def _seed_demo(env: dict[str, str]) -> tuple[list[list[str]], int]:
    """Token lines (role, e-mail, token) and the number of training sessions it reports."""
    result = _onboard("seed-demo", env=env)
    assert result.returncode == 0, result.stderr
    lines = [line.split() for line in result.stdout.strip().splitlines()]
    (training,) = [line for line in lines if line[0] == "training"]
    assert training[1] == "csm@acolhe.demo" and "sessions" in training
    tokens = [line for line in lines if line[0] not in ("training", "console", "password")]
    return tokens, int(training[2])


def test_seed_demo_prints_three_tokens(cli_env: dict[str, str]) -> None:
    lines, _ = _seed_demo(cli_env)
    assert sorted(line[0] for line in lines) == ["admin", "csm", "manager"]
    assert all(line[2].startswith("acolhe_") for line in lines)


def test_seed_demo_training_is_idempotent(cli_env: dict[str, str], database_url: str) -> None:
    def stored() -> tuple[int, int, int]:
        engine = create_engine(database_url)
        try:
            with Session(engine) as session:
                staff = session.scalar(select(func.count(StaffUser.id)))
                windows = session.scalars(select(TrainingAvailability)).all()
                assert {(w.weekday, w.capacity, w.meeting_url) for w in windows} == {
                    (1, 4, DEMO_MEETING_URL),
                    (3, 4, DEMO_MEETING_URL),
                }
                slots = session.scalar(select(func.count(TrainingSlot.id)))
                return int(staff or 0), len(windows), int(slots or 0)
        finally:
            engine.dispose()

    _, first = _seed_demo(cli_env)
    after_first = stored()
    _, second = _seed_demo(cli_env)
    # Tuesdays and Thursdays of three weeks, 5 sessions a day, less holidays and today's past.
    assert 10 <= first == second <= 35
    assert after_first == stored() and after_first[:2] == (3, 4)


def test_chat_in_the_terminal(cli_env: dict[str, str]) -> None:
    result = _onboard(
        "chat", "--user", "cli-test", env=cli_env, stdin="1\nMaria da Silva\nem que etapa estou?\n"
    )
    assert result.returncode == 0, result.stderr
    assert "Você concorda em continuar?" in result.stdout
    assert "1) Concordo" in result.stdout
    assert "Prazer, Maria da Silva!" in result.stdout
    assert "etapa *Cadastro*" in result.stdout


def test_usage_errors_exit_2(cli_env: dict[str, str]) -> None:
    assert _onboard("chat", "--lang", "fr", env=cli_env).returncode == 2
    assert _onboard("no-such-command", env=cli_env).returncode == 2


def test_bad_settings_fail_with_one_line(cli_env: dict[str, str]) -> None:
    env = dict(cli_env, ONBOARD_NLU_BACKEND="gpt")
    result = _onboard("db", "upgrade", env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("error: invalid settings")
    assert "Traceback" not in result.stderr


def test_telegram_set_webhook_registers_url_and_secret(cli_env: dict[str, str]) -> None:
    from tests.fakes.telegram import FakeTelegram

    with FakeTelegram() as telegram:
        env = dict(
            cli_env,
            ONBOARD_TELEGRAM_BOT_TOKEN=telegram.token,
            ONBOARD_TELEGRAM_SECRET_TOKEN="s3cret_token",
            ONBOARD_TELEGRAM_API_URL=telegram.url,
            ONBOARD_PUBLIC_URL="https://acolhe.example.com.br",
        )
        result = _onboard("telegram", "set-webhook", env=env)
        assert result.returncode == 0, result.stderr
        assert telegram.webhook is not None
        assert telegram.webhook["url"] == "https://acolhe.example.com.br/webhooks/telegram"
        assert telegram.webhook["secret_token"] == "s3cret_token"


def test_telegram_set_webhook_without_token_fails_clearly(cli_env: dict[str, str]) -> None:
    result = _onboard("telegram", "set-webhook", env=cli_env)
    assert result.returncode == 1
    assert "ONBOARD_TELEGRAM_BOT_TOKEN" in result.stderr


def test_ocr_reads_a_text_layer_pdf(cli_env: dict[str, str], tmp_path: Path) -> None:
    import json

    from bench.ocr.synthetic import make_sample

    sample = make_sample("cnpj_card", "pdf", seed=7)
    path = tmp_path / "cartao.pdf"
    path.write_bytes(sample.data)
    result = _onboard("ocr", str(path), env=cli_env)
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout)
    assert read["kind"] == "cnpj_card"
    assert read["fields"]["cnpj"] == sample.truth["cnpj"]
    assert set(read) == {"kind", "fields", "confidence", "warnings"}


def test_ocr_user_errors_are_one_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    missing = _onboard("ocr", str(tmp_path / "nope.jpg"), env=cli_env)
    assert (
        missing.returncode == 1
        and "not found" in missing.stderr
        and "Traceback" not in missing.stderr
    )
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"definitely not an image")
    refused = _onboard("ocr", str(junk), env=cli_env)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert _onboard("ocr", str(junk), "--kind", "passport", env=cli_env).returncode == 2


def _healthz(connection: http.client.HTTPConnection) -> int | None:
    """One keep-alive ``GET /healthz``, read whole; None when the server closed the connection
    (http.client does not silently reconnect an open connection)."""
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
        return response.status
    except (http.client.HTTPException, OSError):
        return None


def test_serve_keeps_idle_connections_open_as_long_as_told(
    cli_env: dict[str, str], unused_tcp_port: int
) -> None:
    """A proxy reusing a connection the server has just closed loses that request: the server's
    keep-alive must outlast the proxy's (default 75 s, `--keep-alive-s`)."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--port",
            str(unused_tcp_port),
            "--no-workers",
            "--keep-alive-s",
            "3",
        ],
        env=cli_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", unused_tcp_port), timeout=5).close()
                break
            except OSError:
                assert server.poll() is None, f"the server exited with {server.returncode}"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        connection = http.client.HTTPConnection("127.0.0.1", unused_tcp_port, timeout=10)
        try:
            assert _healthz(connection) == 200
            first = connection.sock
            time.sleep(1.5)  # idle, but within the keep-alive
            assert _healthz(connection) == 200
            assert connection.sock is first  # the same connection served both
            time.sleep(4.5)  # beyond 3 s (uvicorn's own default, 5 s, would still keep it)
            assert _healthz(connection) is None
        finally:
            connection.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
