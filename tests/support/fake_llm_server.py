"""A tiny OpenAI-compatible chat server on loopback that misbehaves on request (for the failure modes)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "fake-model"


def _chunk(content: str) -> bytes:
    body = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": MODEL,
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up (the timeout test) breaks the pipe; that is the point, not a failure


class FakeServer:
    """``mode``: "ok" (streams ``pieces``), "dies" (half the pieces, then the connection drops),
    "malformed" (a data line that is not JSON), "slow" (no reply for ``delay`` seconds)."""

    def __init__(self, pieces: Sequence[str] = (), mode: str = "ok", delay: float = 3.0) -> None:
        self.pieces = list(pieces)
        self.mode = mode
        self.delay = delay
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json(
                        200,
                        {
                            "object": "list",
                            "data": [{"id": MODEL, "object": "model", "created": 0, "owned_by": "test"}],
                        },
                    )
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                outer.requests.append(request)
                if request.get("model") != MODEL:
                    self._json(
                        404,
                        {
                            "error": {
                                "message": f"model {request.get('model')!r} not found",
                                "type": "invalid_request_error",
                            }
                        },
                    )
                    return
                if outer.mode == "slow":
                    time.sleep(outer.delay)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                if outer.mode == "dies":
                    self.send_header("Content-Length", "100000")  # promises more than it sends
                    self.end_headers()
                    for piece in outer.pieces[: len(outer.pieces) // 2]:
                        self.wfile.write(_chunk(piece))
                        self.wfile.flush()
                    self.close_connection = True
                    return
                body = b"".join(_chunk(p) for p in outer.pieces)
                if outer.mode == "malformed":
                    body = _chunk(outer.pieces[0]) + b"data: {this is not json\n\n"
                body += b"data: [DONE]\n\n"
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
