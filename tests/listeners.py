"""A real HTTP listener on loopback for tests of our outgoing requests (callbacks, webhooks)."""
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Listener:
    port: int
    received: list[Received] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def paths(self) -> list[str]:
        return [hit.path for hit in self.received]


@contextmanager
def recording_listener(status: int = 200) -> Iterator[Listener]:
    """Answers every POST with `status` and records what arrived."""
    listener = Listener(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            listener.received.append(Received(self.path, body, {k.lower(): v for k, v in self.headers.items()}))
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    listener.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield listener
    finally:
        server.shutdown()
        server.server_close()
