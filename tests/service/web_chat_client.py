"""The web chat over real HTTP, as its page talks to it: what the tests of ``bot/service/
web_chat.py`` share."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from PIL import Image, ImageDraw, ImageFont

from bot.app import create_app
from bot.bootstrap import Runtime
from tests.support.server import serving

__all__ = [
    "OTHER",
    "REGISTRATION",
    "SESSION",
    "greet",
    "read_history",
    "png",
    "send",
    "stored_files",
    "upload",
    "web_chat",
]

SESSION = "web-session-0001"
OTHER = "web-session-0002"
REGISTRATION = [
    "Maria da Silva",
    "1",
    "11.222.333/0001-81",
    "Padaria Pão Quente",
    "45",
    "maria@paoquente.com.br",
    "11987654321",
    "1",
    "1",
    "1",
    "01310-100",
    "Av. Paulista, Bela Vista, São Paulo/SP",
    "1000",
    "não",
]


def send(
    client: httpx.Client, text: str, *, session: str = SESSION, **extra: str
) -> list[dict[str, object]]:
    response = client.post("/chat/api/messages", json={"session": session, "text": text, **extra})
    assert response.status_code == 200, response.text
    messages: list[dict[str, object]] = response.json()["messages"]
    return messages


def greet(client: httpx.Client, session: str = SESSION) -> list[dict[str, object]]:
    response = client.post("/chat/api/greeting", json={"session": session})
    assert response.status_code == 200, response.text
    messages: list[dict[str, object]] = response.json()["messages"]
    return messages


def read_history(client: httpx.Client, session: str = SESSION) -> list[dict[str, object]]:
    response = client.get("/chat/api/messages", params={"session": session, "after": 0})
    assert response.status_code == 200, response.text
    history: list[dict[str, object]] = response.json()
    return history


def upload(
    client: httpx.Client,
    data: bytes,
    *,
    content_type: str,
    filename: str = "documento",
    session: str = SESSION,
    message_id: str = "",
) -> httpx.Response:
    return client.post(
        "/chat/api/uploads",
        params={"session": session, "filename": filename, "message_id": message_id},
        content=data,
        headers={"Content-Type": content_type},
    )


def png(width: int = 640, height: int = 400) -> bytes:
    """A real, small PNG: a white card with a line of text (no document the reader knows)."""
    image = Image.new("RGB", (width, height), "white")
    # letters of a readable size: the intake refuses photos whose print is too small to read
    font = ImageFont.load_default(size=28)
    ImageDraw.Draw(image).text((40, 180), "Comprovante de teste 12345", fill="black", font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def stored_files(runtime: Runtime) -> list[Path]:
    return [p for p in runtime.settings.documents_dir.rglob("*") if p.is_file()]


@contextmanager
def web_chat(runtime: Runtime) -> Iterator[httpx.Client]:
    with serving(create_app(runtime)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client
