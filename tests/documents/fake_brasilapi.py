"""A small BrasilAPI stand-in on loopback: scripted answers per path, real HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: object = None  # dict -> JSON; str -> raw text
    delay: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()


class FakeBrasilApi:
    """``script(path, *replies)`` queues answers; the last one repeats. ``hits[path]`` counts."""

    def __init__(self) -> None:
        self.replies: dict[str, deque[Reply]] = defaultdict(deque)
        self.hits: dict[str, int] = defaultdict(int)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                fake.hits[self.path] += 1
                queue = fake.replies.get(self.path)
                reply = Reply(404, {"message": "not found", "type": "not_found"})
                if queue:
                    reply = queue.popleft() if len(queue) > 1 else queue[0]
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                data = body.encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers:
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        port = self.server.server_address[1]
        return f"http://127.0.0.1:{port}/api"

    def script(self, path: str, *replies: Reply) -> None:
        self.replies[f"/api{path}"] = deque(replies)

    def count(self, path: str) -> int:
        return self.hits[f"/api{path}"]

    def __enter__(self) -> FakeBrasilApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
