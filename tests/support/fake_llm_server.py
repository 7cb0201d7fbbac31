"""A tiny OpenAI-compatible chat server on loopback that misbehaves on request (for the failure modes):
as a hostile or broken server would, it redirects, streams without end, drips, stalls, sends huge
replies or plain JSON."""

from __future__ import annotations

import itertools
import json
import socketserver
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
    def server_bind(self) -> None:
        # HTTPServer's own server_bind asks the resolver for this host's name (getfqdn): a lookup
        # the network guard would rightly count against the test.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def handle_error(self, request, client_address) -> None:
        pass  # a client that gave up (the timeout test) breaks the pipe; that is the point, not a failure


class FakeServer:
    """``mode``: "ok" (streams ``pieces``), "dies" (half the pieces, then the connection drops),
    "malformed" (a data line that is not JSON), "slow" (no reply for ``delay`` seconds),
    "redirect" (every request answered ``redirect_status`` to ``redirect_to``), "json" (a plain
    chat.completion object though a stream was asked for), "endless" (``pieces`` over and over, one
    every ``delay`` seconds, never ending), "stall" (``pieces``, then silence), "drip" (one byte
    of an event that never ends every ``delay`` seconds), "huge" (one event of ``size`` bytes).
    ``hosts``: the Host header of each request; ``paths``: each request's method and path; ``times``: when."""

    def __init__(
        self,
        pieces: Sequence[str] = (),
        mode: str = "ok",
        delay: float = 3.0,
        *,
        redirect_to: str = "",
        redirect_status: int = 307,
        size: int = 0,
    ) -> None:
        self.pieces = list(pieces)
        self.mode = mode
        self.delay = delay
        self.redirect_to = redirect_to
        self.redirect_status = redirect_status
        self.size = size
        self.requests: list[dict] = []
        self.hosts: list[str] = []
        self.paths: list[str] = []
        self.times: list[float] = []  # time.time() of each request
        self.stop = threading.Event()  # set on exit: endless replies end with the test
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

            def _seen(self) -> bool:
                """Record the request; True when it was answered with a redirect."""
                outer.times.append(time.time())
                outer.hosts.append(self.headers.get("Host", ""))
                outer.paths.append(f"{self.command} {self.path}")
                if outer.mode != "redirect":
                    return False
                self.send_response(outer.redirect_status)
                self.send_header("Location", outer.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True

            def _stream_forever(self, events) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                for event in events:
                    if outer.stop.is_set():
                        return
                    self.wfile.write(event)
                    self.wfile.flush()

            def _ticks(self, unit: bytes, first: bytes = b""):
                yield first
                while not outer.stop.wait(outer.delay):
                    yield unit

            def do_GET(self) -> None:
                if self._seen():
                    return
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
                if self._seen():
                    return
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
                if outer.mode == "json":
                    message = {"role": "assistant", "content": "".join(outer.pieces)}
                    self._json(
                        200,
                        {
                            "id": "c1",
                            "object": "chat.completion",
                            "created": 0,
                            "model": MODEL,
                            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                        },
                    )
                    return
                if outer.mode == "endless":
                    pieces = itertools.cycle(outer.pieces)
                    self._stream_forever(_chunk(next(pieces)) for _ in self._ticks(b""))
                    return
                if outer.mode == "stall":
                    self._stream_forever(
                        itertools.chain(
                            (_chunk(p) for p in outer.pieces), (b": still here\n\n" for _ in self._ticks(b""))
                        )
                    )
                    return
                if outer.mode == "drip":
                    self._stream_forever(self._ticks(b"a", first=b'data: {"choices": [{"delta": {"content": "'))
                    return
                if outer.mode == "huge":
                    words = (b"word " * (outer.size // 5 + 1))[: outer.size]
                    head = b'data: {"choices": [{"index": 0, "delta": {"content": "'
                    self._stream_forever(iter([head, words, b'"}}]}\n\n', b"data: [DONE]\n\n"]))
                    return
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
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
